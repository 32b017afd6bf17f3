// Shared by the browser runs (run.mjs: the customer dashboard; admin.mjs:
// the admin panel): Debian's /usr/bin/chromium driven by playwright-core
// (no browser download), TAP lines, axe-core accessibility checks and
// screenshots.
import { chromium } from 'playwright-core'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

export const timeout = 15000
let n = 0
let failed = 0

/** One TAP line; returns cond. */
export function check(cond, name, diag) {
  n++
  if (!cond) failed++
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${name}`)
  if (!cond && diag) console.log(`# ${String(diag).split('\n').join('\n# ')}`)
  return cond
}

/** Run fn as one check named name: ok unless it throws. */
export async function step(name, fn) {
  try {
    await fn()
    return check(true, name)
  } catch (e) {
    return check(false, name, e && e.message)
  }
}

export function finish() {
  console.log(`# ${n - failed}/${n} checks passed`)
  return failed ? 1 : 0
}

/** A persistent context on a fresh profile; { ctx, page, problems, close }. */
export async function launch({ locale = 'en-US' } = {}) {
  const exe = process.env.CHROMIUM ?? '/usr/bin/chromium'
  const profile = mkdtempSync(join(tmpdir(), 'och-chromium-'))
  let ctx
  try {
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: exe,
      headless: true,
      locale,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 860 },
    })
  } catch (e) {
    rmSync(profile, { recursive: true, force: true })
    throw new Error(`chromium does not start (${exe}): ${e && e.message}`, { cause: e })
  }
  const page = ctx.pages()[0] ?? await ctx.newPage()
  page.setDefaultTimeout(timeout)
  const problems = []
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  page.on('console', (m) => {
    const t = m.text()
    // a 4xx/5xx answer the page handles is logged by the browser as a
    // resource failure; script errors and CSP violations are problems
    if (m.type() === 'error' && !/Failed to load resource/.test(t)) problems.push(`console: ${t}`)
  })
  const close = async () => {
    await ctx.close()
    rmSync(profile, { recursive: true, force: true })
  }
  return { ctx, page, problems, close }
}

/**
 * axe-core on the page as it is now: a check that no violation is serious
 * or critical.  axe is evaluated through the DevTools protocol, which the
 * page's CSP (no inline script) does not apply to.
 */
export async function axe(page, name) {
  await step(`axe: ${name} has no serious or critical violations`, async () => {
    // judge the page at rest: no hover, no colour caught mid-transition
    // (a button fading back after its dialog closed once failed contrast)
    await page.mouse.move(0, 0)
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' ||
      a.effect?.getComputedTiming().iterations === Infinity),
      null, { timeout })
    await page.evaluate(axeSource)
    const res = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] })
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map((x) => x.target.join(' ')) }))
    })
    const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    if (bad.length) throw new Error(bad.map((v) => `${v.impact} ${v.id}: ${v.help} @ ${v.nodes.join(', ')}`).join('\n'))
  })
}

/** A full-page screenshot into out, and a copy into docsDir when given. */
export async function shot(page, out, name, docsDir) {
  const p = join(out, name)
  await page.screenshot({ path: p, fullPage: true })
  if (docsDir) {
    mkdirSync(docsDir, { recursive: true })
    copyFileSync(p, join(docsDir, name))
  }
}
