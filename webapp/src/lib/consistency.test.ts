// One source for what the C side defines: the generated state list is
// current with schema/, every state has a label in both languages, and the
// German texts have exactly the English keys.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import en from '@/locales/en'
import de from '@/locales/de'
import { DESIRED_STATES, INSTANCE_STATES } from '@/generated/states'

function keys(o: object, pre = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v ? keys(v, `${pre}${k}.`) : [`${pre}${k}`])).sort()
}

describe('generated and translated', () => {
  it('src/generated/states.ts matches schema/', () => {
    expect(() => execFileSync('node', ['scripts/gen-states.mjs', '--check'], { stdio: 'pipe' })).not.toThrow()
  })
  it("admin.fcgi validates the state filter against the schema's list", () => {
    const c = readFileSync(new URL('../../../cgi-bin/admin_fleet.c', import.meta.url), 'utf8')
    const m = /states\[\]\s*=\s*\{([^}]*)\}/.exec(c)
    expect(m, 'states[] in cgi-bin/admin_fleet.c').toBeTruthy()
    expect([...m![1].matchAll(/"([a-z_]+)"/g)].map((x) => x[1])).toEqual([...INSTANCE_STATES])
  })
  it('the schema lists the states the poller walks', () => {
    expect(INSTANCE_STATES).toContain('active')
    expect(INSTANCE_STATES).toContain('failed')
    expect(DESIRED_STATES).toEqual(['active', 'suspended', 'terminated'])
  })
  it('every instance state has an English and a German label', () => {
    for (const s of INSTANCE_STATES) {
      expect(en.state[s as keyof typeof en.state], s).toBeTruthy()
      expect(de.state[s as keyof typeof de.state], s).toBeTruthy()
    }
    expect(Object.keys(en.state).sort()).toEqual([...INSTANCE_STATES].sort())
  })
  it('German has every English key and no other', () => {
    expect(keys(de)).toEqual(keys(en))
  })
  it('German texts keep the interpolation variables', () => {
    const flat = (o: object, pre = ''): [string, string][] => Object.entries(o).flatMap(([k, v]) =>
      typeof v === 'object' && v ? flat(v, `${pre}${k}.`) : [[`${pre}${k}`, String(v)]])
    const deMap = new Map(flat(de))
    for (const [k, v] of flat(en)) {
      const vars = (s: string) => (s.match(/\{\{\w+\}\}/g) ?? []).sort()
      expect(vars(deMap.get(k) ?? ''), k).toEqual(vars(v))
    }
  })
})
