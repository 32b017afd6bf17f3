// CSV (RFC 4180) of rows with the given columns; a cell that starts with
// =, +, - or @ gets a leading apostrophe so a spreadsheet does not run it
// as a formula (audit details are user-controlled text).
export function toCsv<T>(cols: [string, (r: T) => unknown][], rows: T[]): string {
  const cell = (v: unknown) => {
    let s = v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
  }
  const lines = [cols.map(([h]) => cell(h)).join(',')]
  for (const r of rows) lines.push(cols.map(([, f]) => cell(f(r))).join(','))
  return lines.join('\r\n') + '\r\n'
}
