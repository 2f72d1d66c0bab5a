/**
 * A tiny aligned text-table formatter for command output. Columns are separated by two spaces; a column whose
 * body cells are all numbers (or numeric-looking strings such as "0.341" or "12.5%") is right-aligned, others are
 * left-aligned. Integers get thousands separators (14,541); other numbers are printed as given. Widths are display
 * widths (the npm package string-width: a CJK character takes two columns, combining marks none).
 */
import stringWidth from 'string-width';

/** Per-column alignment. */
export type ColumnAlign = 'left' | 'right';

/** Options of {@link formatTable}: a header row (underlined with dashes) and explicit column alignment. */
export interface FormatTableOptions {
  header?: string[];
  align?: ColumnAlign[];
}

const NUMERIC = /^[-+]?(\d{1,3}(,\d{3})+|\d*)(\.\d+)?([eE][-+]?\d+)?%?$/;

/** Text of one cell: integers with en-US thousands separators, other values via String. */
export function formatCell(value: string | number): string {
  if (typeof value === 'number' && Number.isInteger(value)) return value.toLocaleString('en-US');
  return String(value);
}

/** Display width of a text in terminal columns. */
function width(text: string): number {
  return stringWidth(text);
}

/** True when a cell is a number or a string that reads as one. */
function isNumeric(value: string | number): boolean {
  return typeof value === 'number' || (value !== '' && value !== '-' && NUMERIC.test(value));
}

/** Formats rows as an aligned text table (no trailing newline); see the module comment for alignment rules. */
export function formatTable(rows: (string | number)[][], options: FormatTableOptions = {}): string {
  const header = options.header;
  const columnCount = Math.max(header?.length ?? 0, ...rows.map((row) => row.length));
  const align: ColumnAlign[] = [];
  for (let c = 0; c < columnCount; c++) {
    const body = rows.map((row) => row[c]).filter((cell): cell is string | number => cell !== undefined && cell !== '');
    align.push(options.align?.[c] ?? (body.length > 0 && body.every(isNumeric) ? 'right' : 'left'));
  }
  const text = rows.map((row) => Array.from({ length: columnCount }, (_, c) => (row[c] === undefined ? '' : formatCell(row[c]!))));
  const headerText = header ? Array.from({ length: columnCount }, (_, c) => header[c] ?? '') : undefined;
  const widths = Array.from({ length: columnCount }, (_, c) =>
    Math.max(headerText ? width(headerText[c]!) : 0, ...text.map((row) => width(row[c]!))),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => {
        const pad = ' '.repeat(widths[c]! - width(cell));
        return align[c] === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  const lines: string[] = [];
  if (headerText) {
    lines.push(line(headerText));
    lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  for (const row of text) lines.push(line(row));
  return lines.join('\n');
}
