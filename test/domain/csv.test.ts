import { describe, expect, it } from 'vitest';
import { csvCell, csvDocument } from '../../src/domain/csv.ts';

describe('CSV for spreadsheets', () => {
  it('quotes what RFC 4180 needs quoted', () => {
    expect(csvCell('Calculus, I')).toBe('"Calculus, I"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });

  it('never hands a spreadsheet a formula, but leaves negative numbers alone', () => {
    for (const formula of ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB'])
      expect(csvCell(formula).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('-5')).toBe('-5');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('Müller')).toBe('Müller');
  });

  it('starts with a byte-order mark and ends every line with CRLF', () => {
    expect(csvDocument([['a', 'b'], [1, 'Müller']])).toBe('\ufeffa,b\r\n1,Müller\r\n');
  });
});
