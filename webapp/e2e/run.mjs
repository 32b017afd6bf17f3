// End-to-end check of the built dashboard in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core; no browser download).
//
//   node e2e/run.mjs SSO_URL SLUG OUTDIR [ACTIVE_SLUG]
//
// Opens the SSO link (the API sets the cookies and redirects to the
// instance page), checks the slug and state, adds an AI key and sees its
// last four characters listed, saves a Telegram channel, reboots the
// user's running instance ACTIVE_SLUG (when given), then logs out.
// Prints one "ok N - …" / "not ok N - …" line per check (TAP, no plan) and
// screenshots to OUTDIR; exits 1 when a check failed or the run broke.
import { chromium } from 'playwright-core'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const [sso, slug, out, activeSlug] = process.argv.slice(2)
if (!sso || !slug || !out) {
  console.error('usage: node e2e/run.mjs SSO_URL SLUG OUTDIR')
  process.exit(2)
}
const exe = process.env.CHROMIUM ?? '/usr/bin/chromium'
const key = 'sk-ant-e2e-test-0123456789-WXyz'
const timeout = 15000

let n = 0
let failed = 0
function check(cond, name, diag) {
  n++
  if (!cond) failed++
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${name}`)
  if (!cond && diag) console.log(`# ${String(diag).split('\n').join('\n# ')}`)
  return cond
}
async function step(name, fn) {
  try {
    await fn()
    return check(true, name)
  } catch (e) {
    return check(false, name, e && e.message)
  }
}

const profile = mkdtempSync(join(tmpdir(), 'och-chromium-'))
let ctx
try {
  // a persistent context on a fresh, empty profile (--user-data-dir)
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: exe,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1200, height: 860 },
  })
} catch (e) {
  check(false, `chromium starts (${exe})`, e && e.message)
  rmSync(profile, { recursive: true, force: true })
  process.exit(1)
}

const problems = []
try {
  const page = ctx.pages()[0] ?? await ctx.newPage()
  page.setDefaultTimeout(timeout)
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  page.on('console', (m) => {
    const t = m.text()
    // a 4xx/5xx answer the page handles is logged by the browser as a
    // resource failure; script errors and CSP violations are problems
    if (m.type() === 'error' && !/Failed to load resource/.test(t)) problems.push(`console: ${t}`)
  })

  await step('the SSO link lands on the instance page', async () => {
    await page.goto(sso, { waitUntil: 'load' })
    await page.waitForURL(/\/instances\/[0-9a-f-]+/)
  })
  await step(`the page shows the slug ${slug}`, async () => {
    const got = await page.getByTestId('slug').textContent()
    if (got !== slug) throw new Error(`slug shown: ${got}`)
  })
  let state = ''
  await step('and the state', async () => {
    state = (await page.getByTestId('state').first().textContent()) ?? ''
    if (!/Queued|Creating|Booting|Running|Suspended|Needs attention/.test(state)) throw new Error(`state: ${state}`)
  })
  await step('the session cookie is HttpOnly and the CSRF cookie readable', async () => {
    const cookies = await ctx.cookies()
    const s = cookies.find((c) => c.name === 'och_session')
    const c = cookies.find((c) => c.name === 'och_csrf')
    if (!s || !s.httpOnly) throw new Error('no HttpOnly och_session cookie')
    const js = await page.evaluate(() => document.cookie)
    if (!c || !js.includes('och_csrf=')) throw new Error('och_csrf not readable')
    if (js.includes('och_session=')) throw new Error('och_session visible to scripts')
  })
  await step('a new instance shows its provisioning progress', async () => {
    const cur = page.locator('.progress [aria-current="step"]')
    const t = await cur.textContent()
    if (!/Order received|Creating server|Installing OpenClaw/.test(t)) throw new Error(`current step: ${t}`)
  })
  await page.screenshot({ path: join(out, 'instance.png'), fullPage: true })

  await step('an AI key is added and listed by its last four characters', async () => {
    await page.getByTestId('tab-ai-keys').click()
    await page.getByTestId('ai-provider').selectOption('anthropic')
    await page.getByTestId('ai-key-input').fill(key)
    await page.getByRole('button', { name: 'Save key' }).click()
    const row = page.getByTestId('ai-key-anthropic')
    await row.waitFor()
    const text = await row.textContent()
    if (!text.includes('••••' + key.slice(-4))) throw new Error(`row: ${text}`)
    if (text.includes(key.slice(0, 12))) throw new Error('the key is shown')
  })
  await step('the key input is cleared after saving', async () => {
    if ((await page.getByTestId('ai-key-input').inputValue()) !== '') throw new Error('not cleared')
  })
  await page.screenshot({ path: join(out, 'ai-keys.png'), fullPage: true })

  await step('the key survives a reload (deep link to the tab)', async () => {
    await page.reload()
    await page.getByTestId('ai-key-anthropic').waitFor()
  })

  await step('a Telegram channel is saved and shows its token as set', async () => {
    await page.getByTestId('tab-channels').click()
    await page.getByTestId('channel-telegram-edit').click()
    await page.getByPlaceholder('123456:ABC-DEF…').fill('7777777:AAbbCCddEEff')
    await page.screenshot({ path: join(out, 'channel-form.png'), fullPage: true })
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByText('token set').waitFor()
  })
  await page.screenshot({ path: join(out, 'channels.png'), fullPage: true })

  await step('an API error is shown to the user', async () => {
    await page.getByTestId('tab-ai-keys').click()
    await page.getByTestId('ai-provider').selectOption('other')
    await page.getByPlaceholder('e.g. together').fill('zz')
    await page.getByTestId('ai-key-input').fill('short!!!')
    await page.getByRole('button', { name: 'Save key' }).click()
    const alert = page.getByRole('alert')
    await alert.waitFor()
    const t = await alert.textContent()
    if (!/key: not an API key/.test(t)) throw new Error(`alert: ${t}`)
  })

  await step('the usage tab renders without the metrics service', async () => {
    await page.getByTestId('tab-usage').click()
    await page.getByRole('heading', { name: 'Server' }).waitFor()
    await page.waitForFunction(() => !document.body.innerText.includes('Loading…'))
  })
  if (process.env.E2E_EXPECT_METRICS === '1') {
    await step('the usage tab charts the server and lists AI usage', async () => {
      await page.getByTestId('metrics').waitFor()
      await page.getByTestId('ai-usage').waitFor()
      const t = await page.getByTestId('ai-usage').textContent()
      if (!t.includes('claude-sonnet-4-5')) throw new Error(`ai usage: ${t.slice(0, 200)}`)
    })
  }
  await page.screenshot({ path: join(out, 'usage.png'), fullPage: true })

  await step('the instance list links to the instance', async () => {
    await page.getByRole('link', { name: '← Your instances' }).click()
    await page.getByTestId('instance-card').first().waitFor()
    const t = await page.getByTestId('instance-card').first().textContent()
    if (!t.includes(slug)) throw new Error(`card: ${t}`)
  })
  await page.screenshot({ path: join(out, 'list.png'), fullPage: true })

  if (activeSlug) {
    await step(`the running instance ${activeSlug} opens from the list`, async () => {
      await page.getByTestId('instance-card').filter({ hasText: activeSlug }).click()
      await page.getByTestId('slug').filter({ hasText: activeSlug }).waitFor()
      const st = await page.getByTestId('state').first().textContent()
      if (st !== 'Running') throw new Error(`state: ${st}`)
    })
    await step('a reboot is confirmed, sent with the CSRF token and acknowledged', async () => {
      await page.getByRole('button', { name: 'Reboot', exact: true }).click()
      await page.getByRole('button', { name: 'Reboot now' }).click()
      await page.getByText('Reboot requested').waitFor()
    })
    await page.screenshot({ path: join(out, 'reboot.png'), fullPage: true })
    await step('a skill from the catalog is switched on', async () => {
      await page.getByTestId('tab-skills').click()
      const first = page.locator('.skills li').first()
      await first.waitFor()
      await first.locator('input[type=checkbox]').click()
      await page.getByText(/enabled; it is installed/).waitFor()
      if (!(await first.locator('input[type=checkbox]').isChecked())) throw new Error('not on after saving')
    })
    await page.screenshot({ path: join(out, 'skills.png'), fullPage: true })
    await step('a backup is requested', async () => {
      await page.getByTestId('tab-backups').click()
      await page.getByRole('button', { name: 'Back up now' }).click()
      await page.getByText('Backup requested').waitFor()
    })
    await page.screenshot({ path: join(out, 'backups.png'), fullPage: true })
    await step('a pairing code is approved', async () => {
      await page.getByTestId('tab-pairing').click()
      await page.getByPlaceholder('ABCD2345').fill('abcd2345')
      await page.getByRole('button', { name: 'Approve', exact: true }).click()
      await page.getByText('Approved ABCD2345 on telegram').waitFor()
    })
    await page.screenshot({ path: join(out, 'pairing.png'), fullPage: true })
    await page.getByRole('link', { name: '← Your instances' }).click()
    await page.getByTestId('instance-card').first().waitFor()
  }

  await step('logout shows the login page, and the session is gone', async () => {
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.getByRole('heading', { name: 'Log in' }).waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Log in' }).waitFor()
  })
  await step('the magic-link form confirms the request', async () => {
    await page.getByLabel('Email').fill('nobody@example.com')
    await page.getByRole('button', { name: 'Email me a login link' }).click()
    await page.getByText('a login link is on its way').waitFor()
  })
  await page.screenshot({ path: join(out, 'login.png'), fullPage: true })

  check(problems.length === 0, 'no script errors or CSP violations', problems.join('\n'))
} catch (e) {
  check(false, 'the browser run finished', e && e.stack)
} finally {
  await ctx.close()
  rmSync(profile, { recursive: true, force: true })
}
console.log(`# ${n - failed}/${n} checks passed`)
process.exit(failed ? 1 : 0)
