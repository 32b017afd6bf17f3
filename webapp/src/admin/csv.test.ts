import { describe, expect, it } from 'vitest'
import { toCsv } from './csv'

describe('toCsv', () => {
  const cols: [string, (r: { a: unknown }) => unknown][] = [['a', (r) => r.a]]
  it('quotes commas, quotes and newlines', () => {
    expect(toCsv(cols, [{ a: 'x,y' }, { a: 'say "hi"' }, { a: 'l1\nl2' }])).toBe('a\r\n"x,y"\r\n"say ""hi"""\r\n"l1\nl2"\r\n')
  })
  it('defuses formulas', () => {
    expect(toCsv(cols, [{ a: '=HYPERLINK("x")' }, { a: '-1' }])).toBe('a\r\n"\'=HYPERLINK(""x"")"\r\n\'-1\r\n')
  })
  it('writes objects as JSON and null as empty', () => {
    expect(toCsv(cols, [{ a: { k: 1 } }, { a: null }])).toBe('a\r\n"{""k"":1}"\r\n\r\n')
  })
})
