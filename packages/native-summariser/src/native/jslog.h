/*
 * The natural logarithm exactly as V8's Math.log computes it (V8 uses the
 * fdlibm algorithm, not the C library's log), so that a quantile sketch
 * built here puts every value in the bin the JavaScript sketch would.
 */
#ifndef RTI_JSLOG_H
#define RTI_JSLOG_H

double js_log(double x);

#endif
