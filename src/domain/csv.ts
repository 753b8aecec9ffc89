// CSV as the spreadsheets registrars open it with: RFC 4180 quoting, a UTF-8 byte-order mark (without
// it Excel reads "Müller" as "MÃ¼ller"), and no cell a spreadsheet would run as a formula: text
// starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe (OWASP "CSV
// injection"; a course title comes from record systems, a SIS message from the SIS). Shared by the
// API's exports and the web app's.

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?$/;

export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // A negative number is data, not a formula.
  if (FORMULA_START.test(text) && !NUMBER.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The whole file: byte-order mark, CRLF line ends, a final line end. */
export function csvDocument(rows: readonly (readonly unknown[])[]): string {
  return '\ufeff' + rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
