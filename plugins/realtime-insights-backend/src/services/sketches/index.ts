export { HyperLogLog } from './HyperLogLog';
export { QuantileSketch } from './QuantileSketch';
export { SketchFormatError, checksumHolds } from './binaryCodec';
