import { ReportFormat } from '@internal/plugin-realtime-insights-common';
import ExcelJS from 'exceljs';
import { once } from 'node:events';
import { Transform, Writable } from 'node:stream';
import {
  CsvWriter,
  NdjsonWriter,
  ReportWriter,
  waitForDrain,
} from './textWriters';

export { csvField } from './textWriters';
export type { ReportWriter } from './textWriters';

/** Rows of one XLSX sheet (Excel's limit, less the header). */
const XLSX_ROWS_PER_SHEET = 1_048_575;

/**
 * XLSX through exceljs' streaming writer: rows are committed as they come
 * and never kept. Strings are typed cells (never formulas). A sheet holds
 * at most 1,048,575 rows; more continue on the next sheet.
 */
class XlsxWriter implements ReportWriter {
  private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  /** What exceljs writes into: counts the bytes, passes them to the sink. */
  private readonly counter: Transform;
  private sheet?: ExcelJS.Worksheet;
  private columns: readonly string[] = [];
  private rowsInSheet = 0;
  private sheets = 0;
  bytesWritten = 0;

  constructor(private readonly sink: Writable, private readonly name: string) {
    this.counter = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        this.bytesWritten += chunk.length;
        callback(null, chunk);
      },
    });
    this.counter.pipe(sink);
    this.workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: this.counter,
      useStyles: false,
      useSharedStrings: false,
    });
  }

  private nextSheet() {
    this.sheet?.commit();
    this.sheets++;
    this.sheet = this.workbook.addWorksheet(
      this.sheets === 1 ? this.name : `${this.name} ${this.sheets}`,
    );
    this.rowsInSheet = 0;
    if (this.columns.length > 0) {
      this.sheet.addRow([...this.columns]).commit();
    }
  }

  header(columns: readonly string[]) {
    this.columns = columns;
    this.nextSheet();
  }

  row(values: readonly unknown[]) {
    if (!this.sheet || this.rowsInSheet >= XLSX_ROWS_PER_SHEET) {
      this.nextSheet();
    }
    const cells: Array<string | number | boolean | null> = [];
    for (let i = 0; i < this.columns.length; i++) {
      const value = values[i];
      if (
        typeof value === 'number' ||
        typeof value === 'boolean' ||
        typeof value === 'string'
      ) {
        cells.push(value);
      } else if (value === null || value === undefined) {
        cells.push(null);
      } else {
        cells.push(JSON.stringify(value));
      }
    }
    this.sheet!.addRow(cells).commit();
    this.rowsInSheet++;
  }

  record(value: Record<string, unknown>) {
    this.row(this.columns.map(c => value[c]));
  }

  /** Rows come formatted as NDJSON of the columns (`rowFormatOf('xlsx')`). */
  formatted(rows: Buffer, start: number, end: number) {
    for (let from = start; from < end; ) {
      const newline = rows.indexOf(10, from);
      const to = newline < 0 || newline >= end ? end : newline;
      if (to > from) this.record(JSON.parse(rows.toString('utf8', from, to)));
      from = to + 1;
    }
  }

  get full(): boolean {
    return this.counter.writableNeedDrain;
  }

  async flush(): Promise<void> {
    if (this.sink.destroyed) throw new Error('The report output was closed');
    if (this.counter.writableNeedDrain) {
      await waitForDrain(this.counter, this.sink);
    }
  }

  async end(): Promise<void> {
    if (!this.sheet) this.nextSheet();
    this.sheet!.commit();
    const finished = this.sink.writableFinished
      ? Promise.resolve()
      : once(this.sink, 'finish');
    await this.workbook.commit();
    await finished;
  }
}

/**
 * A writer of the format into the sink; `name` titles XLSX sheets. Raw
 * events come as rows formatted by an `ObjectRowsReader` (`formatted`).
 */
export function createReportWriter(
  format: ReportFormat,
  sink: Writable,
  options: { name?: string } = {},
): ReportWriter {
  switch (format) {
    case 'csv':
      return new CsvWriter(sink);
    case 'ndjson':
      return new NdjsonWriter(sink);
    case 'xlsx':
      return new XlsxWriter(sink, (options.name ?? 'report').slice(0, 28));
    default:
      throw new Error(`Unknown report format '${format}'`);
  }
}
