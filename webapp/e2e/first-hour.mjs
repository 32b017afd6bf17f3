// The customer's first hour in headless Chromium, against the stack the
// demo starts (t/810 starts it):
//
//   node e2e/first-hour.mjs BASE SIM_URL GATEWAY_URL OUTDIR CUSTOMER ADMIN
//
// The customer asks for a login link, opens it from the simulator's
// mailbox, sees the instance running, reveals and replaces the gateway
// token, opens the Control UI (token in the fragment), connects Telegram
// (the server's verdict shown) and WhatsApp (QR shown, then linked when
// the "phone" scans it at the gateway stand-in), picks a model, switches a
// skill on and sees it installed; the admin signs in by magic link too.
// One TAP line per check; exits 1 when one failed.
import { check, finish, launch, shot, step } from './lib.mjs'

const [base, sim, gw, out, customer, admin] = process.argv.slice(2)
if (!admin) {
  console.error('usage: node e2e/first-hour.mjs BASE SIM_URL GATEWAY_URL OUTDIR CUSTOMER ADMIN')
  process.exit(2)
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** The newest sign-in link mailed to `to` after `since` emails (polls the mailbox). */
async function mailedLink(to, since) {
  for (let i = 0; i < 60; i++) {
    const r = await fetch(`${sim}/_sim/emails`)
    const mails = (await r.json()).emails ?? []
    const mine = mails.slice(since).filter((m) => (m.to ?? []).some((x) => x.toLowerCase() === to))
    const m = mine.at(-1)?.text?.match(/https?:\/\/\S+\/signin#magic=[0-9a-f]+/)
    if (m) return m[0]
    await sleep(500)
  }
  throw new Error(`no sign-in email to ${to}`)
}
async function mailCount() {
  return ((await (await fetch(`${sim}/_sim/emails`)).json()).emails ?? []).length
}

/** Ask for a link on the login page, open it from the mailbox, confirm. */
async function signIn(page, email) {
  const n = await mailCount()
  await page.goto(base + '/', { waitUntil: 'load' })
  await page.getByLabel('Email').fill(email)
  await page.getByRole('button', { name: 'Email me a login link' }).click()
  await page.getByText('a login link is on its way').waitFor()
  const link = await mailedLink(email, n)
  await page.goto(link, { waitUntil: 'load' })
  await page.getByTestId('signin-confirm').click()
}

let b
try {
  b = await launch()
  const { ctx, page, problems } = b
  // the Control UI lives on the customer's VPS (https://<slug>.<domain>),
  // which this machine cannot resolve: a page stands in for it
  await ctx.route(/^https:\/\/[^/]+\.och\.test\//, (r) =>
    r.fulfill({ status: 200, contentType: 'text/html', body: '<title>OpenClaw Control</title>Control UI' }))

  await step('the customer asks for a login link and opens it from the mailbox', async () => {
    await signIn(page, customer)
    await page.getByTestId('user-email').filter({ hasText: customer }).waitFor()
  })
  await step('the instance opens from the list', async () => {
    await page.getByTestId('instance-card').first().click()
    await page.waitForURL(/\/instances\/[0-9a-f-]+/)
  })
  await step('the server is running (its agent reported a ready gateway)', async () => {
    await page.locator('[data-testid="server-health"] [data-phase="running"]').waitFor({ timeout: 90000 })
  })
  await step("the order's steps are shown with their times (server, DNS, configured, gateway ready)", async () => {
    const box = page.getByTestId('order-progress')
    for (const s of ['server', 'dns', 'configured', 'gateway_ready'])
      await box.locator(`[data-step="${s}"][data-done="true"]`).waitFor({ timeout: 30000 })
    const t = (await box.locator('[data-step="gateway_ready"]').textContent()) ?? ''
    if (!/\d s$/.test(t)) throw new Error(`no time: ${t}`)
  })
  await step('the running OpenClaw version and the certificate state are shown', async () => {
    const v = await page.getByTestId('running-version').textContent()
    if (!/^\d{4}\.\d+\.\d+/.test(v)) throw new Error(`version: ${v}`)
    await page.getByTestId('tls').waitFor()
  })
  await shot(page, out, 'fh-running.png')

  let token = ''
  await step('the gateway token is revealed', async () => {
    await page.getByTestId('reveal-token').click()
    token = (await page.getByTestId('gateway-token').textContent()) ?? ''
    if (!/^[0-9a-f]{48}$/.test(token)) throw new Error(`token: ${token}`)
  })
  await step('"Open OpenClaw" opens the Control UI with the token in the fragment', async () => {
    const [popup] = await Promise.all([ctx.waitForEvent('page'), page.getByTestId('open-openclaw').click()])
    await popup.waitForURL(/#token=/)
    const u = new URL(popup.url())
    if (u.protocol !== 'https:' || u.hash !== `#token=${token}` || u.search !== '') throw new Error(`url: ${popup.url()}`)
    await popup.close()
  })
  await step('the token is replaced', async () => {
    await page.getByTestId('rotate-token').click()
    await page.getByRole('button', { name: 'Replace token', exact: true }).click()
    await page.getByText('New token made').waitFor()
    const t2 = (await page.getByTestId('gateway-token').textContent()) ?? ''
    if (!/^[0-9a-f]{48}$/.test(t2) || t2 === token) throw new Error(`new token: ${t2}`)
  })

  await step('a Telegram bot token is saved', async () => {
    await page.getByTestId('tab-channels').click()
    await page.getByTestId('channel-telegram-edit').click()
    await page.getByPlaceholder('123456:ABC-DEF…').fill('8123456789:AAHk2xT5QvF3cNwz9RbLm0pYjEuDs7KqWgX')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByText('token set').waitFor()
  })
  await step('Connect WhatsApp shows the QR code', async () => {
    await page.getByTestId('whatsapp-connect').click()
    await page.getByTestId('whatsapp-qr').waitFor({ timeout: 60000 })
    const src = await page.getByTestId('whatsapp-qr').getAttribute('src')
    if (!src?.startsWith('data:image/png;base64,')) throw new Error('not a PNG data URL')
  })
  await shot(page, out, 'fh-whatsapp-qr.png')
  await step('scanned on the phone: the page says linked', async () => {
    await fetch(`${gw}/_stub/scan`, { method: 'POST' })
    await page.locator('[data-testid="whatsapp-login"][data-outcome="linked"]').waitFor({ timeout: 60000 })
  })

  await step('a model is picked', async () => {
    await page.getByTestId('tab-ai-keys').click()
    await page.getByTestId('model-primary').fill('anthropic/claude-sonnet-4-5')
    await page.getByTestId('model-fallbacks').fill('openai/gpt-5-mini')
    await page.getByTestId('model-save').click()
    await page.getByText('Saved; your server switches').waitFor()
  })
  await step('a skill is switched on and the server installs it', async () => {
    await page.getByTestId('tab-skills').click()
    const row = page.getByTestId('skill-weather')
    await row.getByRole('switch').click()
    await row.locator('[data-testid="skill-state"][data-state="installed"]').waitFor({ timeout: 90000 })
  })
  await shot(page, out, 'fh-skills.png')
  await step('the server reports Telegram connected', async () => {
    await page.getByTestId('tab-overview').click()
    await page.locator('[data-testid="channel-state-telegram"][data-state="connected"]').waitFor({ timeout: 90000 })
  })
  await shot(page, out, 'fh-overview.png')

  await step('the admin signs in by magic link too', async () => {
    await page.getByRole('button', { name: 'Log out', exact: true }).click()
    await page.getByRole('heading', { name: 'Log in' }).waitFor()
    await signIn(page, admin)
    await page.getByTestId('user-email').filter({ hasText: admin }).waitFor()
  })
  check(problems.length === 0, 'no script errors or CSP violations', problems.join('\n'))
} catch (e) {
  check(false, 'the browser run finished', e && e.stack)
} finally {
  await b?.close()
}
process.exit(finish())
