import { describe, expect, it } from 'vitest'
import { join, rate } from './Usage'

describe('usage series', () => {
  it('join combines points with the same time and drops the rest', () => {
    const a = [{ t: 1, v: 100 }, { t: 2, v: 100 }, { t: 3, v: 0 }]
    const b = [{ t: 1, v: 25 }, { t: 3, v: 0 }]
    expect(join(a, b, (x, y) => (x > 0 ? ((x - y) / x) * 100 : null))).toEqual([{ t: 1, v: 75 }])
  })
  it('rate is per second and skips counter resets', () => {
    const p = [{ t: 0, v: 0 }, { t: 10, v: 100 }, { t: 20, v: 50 }, { t: 30, v: 150 }]
    expect(rate(p)).toEqual([{ t: 10, v: 10 }, { t: 30, v: 10 }])
  })
})
