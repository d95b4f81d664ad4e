/**
 * CSV (RFC 4180) with spreadsheet formula injection neutralised: a cell that a spreadsheet would run
 * as a formula (starting with = + - @ or a tab/CR) gets a leading apostrophe. Rows end with CRLF.
 */

export type Cell = string | number | null;

function cell(value: Cell): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
