// End-to-end check of the built dashboard in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core; no browser download).
//
//   node e2e/run.mjs SSO_URL SLUG OUTDIR [ACTIVE_SLUG]
//   env E2E_MAGIC_URL: an emailed sign-in link of another customer
//
// Opens the SSO link: the sign-in page shows whose account it opens and
// sets no cookie until "Continue" (its POST) signs in and opens the
// instance page; checks the slug and state, adds an AI key and sees its
// last four characters listed, saves a Telegram channel, reboots the
// user's running instance ACTIVE_SLUG (when given); opens the other
// customer's magic link while signed in (the page asks whether to switch:
// "Stay"), logs out, and signs in with that link.
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

  await step('the SSO link opens the sign-in page, naming the account', async () => {
    await page.goto(sso, { waitUntil: 'load' })
    await page.waitForURL(/\/signin$/)
    const who = await page.getByTestId('signin-account').textContent()
    if (who !== 'dash@example.com') throw new Error(`account shown: ${who}`)
  })
  await step('the token left the address bar, and no cookie is set before the click', async () => {
    if (page.url().includes('#') || /[0-9a-f]{64}/.test(page.url())) throw new Error(`url: ${page.url()}`)
    const cookies = await ctx.cookies()
    if (cookies.some((c) => /och_session/.test(c.name))) throw new Error('a session cookie before confirming')
  })
  await page.screenshot({ path: join(out, 'signin.png'), fullPage: true })
  await step('"Continue" signs in and lands on the instance page', async () => {
    await page.getByTestId('signin-confirm').click()
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
    const s = cookies.find((c) => c.name === '__Host-och_session')
    const c = cookies.find((c) => c.name === '__Host-och_csrf')
    if (!s || !s.httpOnly || !s.secure || s.path !== '/') throw new Error('no HttpOnly, Secure __Host-och_session cookie')
    const js = await page.evaluate(() => document.cookie)
    if (!c || !js.includes('__Host-och_csrf=')) throw new Error('__Host-och_csrf not readable')
    if (js.includes('och_session=')) throw new Error('the session cookie is visible to scripts')
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

  const magic = process.env.E2E_MAGIC_URL
  if (magic) {
    await step("another account's link, while signed in: the page asks whether to switch", async () => {
      await page.goto(magic, { waitUntil: 'load' })
      await page.getByTestId('signin-switch').waitFor()
      const cur = await page.getByTestId('signin-current').textContent()
      const who = await page.getByTestId('signin-account').textContent()
      if (cur !== 'dash@example.com' || who !== 'other@example.com') throw new Error(`current ${cur}, link ${who}`)
    })
    await page.screenshot({ path: join(out, 'signin-switch.png'), fullPage: true })
    await step('"Stay" keeps the signed-in account', async () => {
      await page.getByTestId('signin-stay').click()
      await page.getByTestId('instance-card').first().waitFor()
      const who = await page.getByTestId('user-email').textContent()
      if (who !== 'dash@example.com') throw new Error(`signed in as ${who}`)
    })
  }

  await step('logout shows the login page, and the session is gone', async () => {
    await page.getByRole('button', { name: 'Log out', exact: true }).click()
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

  if (magic) {
    await step('the emailed link signs the other customer in after "Continue"', async () => {
      await page.goto(magic, { waitUntil: 'load' })
      await page.getByTestId('signin-confirm').click()
      await page.getByTestId('user-email').filter({ hasText: 'other@example.com' }).waitFor()
    })
    await step('the same link again says it no longer works and offers a new one', async () => {
      await page.goto(magic, { waitUntil: 'load' })
      await page.getByTestId('signin-bad').waitFor()
    })
    await page.screenshot({ path: join(out, 'signin-used.png'), fullPage: true })
  }

  check(problems.length === 0, 'no script errors or CSP violations', problems.join('\n'))
} catch (e) {
  check(false, 'the browser run finished', e && e.stack)
} finally {
  await ctx.close()
  rmSync(profile, { recursive: true, force: true })
}
console.log(`# ${n - failed}/${n} checks passed`)
process.exit(failed ? 1 : 0)
