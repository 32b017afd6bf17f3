// End-to-end check of the built customer dashboard in headless Chromium.
//
//   node e2e/run.mjs SSO_URL SLUG OUTDIR [ACTIVE_SLUG]
//   env E2E_MAGIC_URL: an emailed sign-in link of another customer
//
// Opens the SSO link: the sign-in page shows whose account it opens and
// sets no cookie until "Continue" (its POST) signs in and opens the
// instance page; checks the slug and state, adds an AI key and sees its
// last four characters listed, saves a Telegram channel, sees an API error,
// charts usage; on the user's running instance ACTIVE_SLUG (when given)
// walks the reboot dialog by keyboard and reboots, switches a skill on,
// requests a backup, cancels one restore and confirms another (the ids in
// env E2E_RESTORE: "CANCEL,RESTORE") by typing the hostname, takes a
// snapshot, and approves a pairing code; switches to German and
// dark mode; opens the other customer's magic link while signed in (the
// page asks whether to switch: "Stay"), logs out, and signs in with it.  axe-core runs on every page.  Prints one TAP
// line per check; screenshots go to OUTDIR (and to E2E_DOCS when set);
// exits 1 when a check failed or the run broke.
import { axe, check, finish, launch, shot, step } from './lib.mjs'

const [sso, slug, out, activeSlug] = process.argv.slice(2)
if (!sso || !slug || !out) {
  console.error('usage: node e2e/run.mjs SSO_URL SLUG OUTDIR [ACTIVE_SLUG]')
  process.exit(2)
}
const docs = process.env.E2E_DOCS
const key = 'sk-ant-e2e-test-0123456789-WXyz'

let b
try {
  b = await launch()
} catch (e) {
  check(false, 'chromium starts', e.message)
  process.exit(finish())
}
const { ctx, page, problems } = b
try {
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
  await axe(page, 'sign-in page')
  await shot(page, out, 'signin.png', docs)
  await step('"Continue" signs in and lands on the instance page', async () => {
    await page.getByTestId('signin-confirm').click()
    await page.waitForURL(/\/instances\/[0-9a-f-]+/)
  })
  await step(`the page shows the slug ${slug}`, async () => {
    const got = await page.getByTestId('slug').textContent()
    if (got !== slug) throw new Error(`slug shown: ${got}`)
  })
  await step('and the state', async () => {
    const state = (await page.getByTestId('state').first().textContent()) ?? ''
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
    const t = await page.locator('.progress [aria-current="step"]').textContent()
    if (!/Order received|Creating server|Installing OpenClaw/.test(t)) throw new Error(`current step: ${t}`)
  })
  await axe(page, 'instance overview')
  await shot(page, out, 'instance.png', docs)

  await step("the provider list is the plan's (starter: no Mistral, nothing the API would refuse)", async () => {
    await page.getByTestId('tab-ai-keys').click()
    await page.locator('[data-testid="ai-provider"] option[value="deepseek"]').waitFor({ state: 'attached' })
    const offered = await page.getByTestId('ai-provider').locator('option').evaluateAll((os) => os.map((o) => o.value))
    const inst = page.url().match(/\/instances\/([0-9a-f-]+)/)[1]
    const api = await page.evaluate(async (u) => (await (await fetch(u, { credentials: 'same-origin' })).json()).providers.map((p) => p.provider),
      `/api/v1/instances/${inst}/ai-keys`)
    if (offered.join() !== api.join()) throw new Error(`offered ${offered} but the plan allows ${api}`)
    if (offered.includes('mistral') || offered.includes('groq')) throw new Error(`offered ${offered}`)
  })
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
  await axe(page, 'AI keys tab')
  await shot(page, out, 'ai-keys.png')

  await step('the key survives a reload (deep link to the tab)', async () => {
    await page.reload()
    await page.getByTestId('ai-key-anthropic').waitFor()
  })

  await step('a Telegram channel is saved and shows its token as set', async () => {
    await page.getByTestId('tab-channels').click()
    await page.getByTestId('channel-telegram-edit').click()
    await page.getByPlaceholder('123456:ABC-DEF…').fill('7777777:AAbbCCddEEff')
    await shot(page, out, 'channel-form.png')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByText('token set').waitFor()
  })
  await axe(page, 'channels tab')
  await shot(page, out, 'channels.png', docs)

  await step('an API error is shown to the user', async () => {
    await page.getByTestId('tab-ai-keys').click()
    await page.getByTestId('ai-provider').selectOption('anthropic')
    await page.getByTestId('ai-key-input').fill('short!!!')
    await page.getByRole('button', { name: 'Save key' }).click()
    const alert = page.getByRole('alert')
    await alert.waitFor()
    const t = await alert.textContent()
    if (!/key: not an API key/.test(t)) throw new Error(`alert: ${t}`)
  })

  await step('the usage tab renders', async () => {
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
    await step('hovering the CPU chart shows the value at that time', async () => {
      const chart = page.getByTestId('chart-cpu')
      const box = await chart.boundingBox()
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2)
      const tip = page.locator('.recharts-tooltip-wrapper').first()
      await tip.getByText(/\d+ %/).waitFor()
    })
    await step('another range refetches the series', async () => {
      const seen = page.waitForResponse((r) => r.url().includes('/metrics?range=7d'))
      await page.getByTestId('range').selectOption('7d')
      const r = await seen
      if (r.status() !== 200) throw new Error(`status ${r.status()}`)
      await page.getByTestId('metrics').waitFor()
    })
  }
  await page.mouse.move(0, 0)
  await axe(page, 'usage tab')
  await shot(page, out, 'usage.png', docs)

  await step('the instance list links to the instance', async () => {
    await page.getByRole('link', { name: '← Your instances' }).click()
    await page.getByTestId('instance-card').first().waitFor()
    const t = await page.getByTestId('instance-card').filter({ hasText: slug }).count()
    if (t !== 1) throw new Error(`cards with ${slug}: ${t}`)
  })
  await axe(page, 'instance list')
  await shot(page, out, 'list.png', docs)

  if (activeSlug) {
    await step(`the running instance ${activeSlug} opens from the list`, async () => {
      await page.getByTestId('instance-card').filter({ hasText: activeSlug }).click()
      await page.getByTestId('slug').filter({ hasText: activeSlug }).waitFor()
      const st = await page.getByTestId('state').first().textContent()
      if (st !== 'Running') throw new Error(`state: ${st}`)
    })
    await step('the reboot dialog works by keyboard: focus inside, Tab stays inside, Esc returns focus', async () => {
      await page.getByTestId('reboot').focus()
      await page.keyboard.press('Enter')
      const dlg = page.getByRole('alertdialog')
      await dlg.waitFor()
      for (let i = 0; i < 4; i++) {
        const inside = await page.evaluate(() => !!document.activeElement?.closest('[role=alertdialog]'))
        if (!inside) throw new Error(`focus left the dialog after ${i} Tab`)
        await page.keyboard.press('Tab')
      }
      await page.keyboard.press('Escape')
      await dlg.waitFor({ state: 'detached' })
      // Radix hands focus back in its close-autofocus step, which can run a
      // frame after the dialog leaves the DOM: wait for it, then say where it is
      await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'reboot', null, { timeout: 5000 }).catch(() => {})
      const back = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))
      if (back !== 'reboot') throw new Error(`focus on ${back}`)
    })
    await step('a reboot is confirmed, sent with the CSRF token and acknowledged', async () => {
      await page.getByRole('button', { name: 'Reboot', exact: true }).click()
      await axe(page, 'reboot dialog')
      await page.getByRole('button', { name: 'Reboot now' }).click()
      await page.getByText('Reboot requested').waitFor()
    })
    await shot(page, out, 'reboot.png')
    await step('a skill from the catalogue is switched on', async () => {
      await page.getByTestId('tab-skills').click()
      const first = page.locator('.skills li').first()
      await first.waitFor()
      await first.getByRole('switch').click()
      await page.getByText(/enabled; it is installed/).waitFor()
      if ((await first.getByRole('switch').getAttribute('aria-checked')) !== 'true') throw new Error('not on after saving')
    })
    await axe(page, 'skills tab')
    await shot(page, out, 'skills.png')
    await step('a backup is requested', async () => {
      await page.getByTestId('tab-backups').click()
      await page.getByRole('button', { name: 'Back up now' }).click()
      await page.getByText('Backup requested').waitFor()
    })
    const [cancelId, restoreId] = (process.env.E2E_RESTORE ?? '').split(',')
    if (restoreId) {
      const asked = []
      page.on('request', (r) => { if (r.url().includes('/restore')) asked.push(r.url()) })
      await step('each stored backup offers a restore', async () => {
        await page.getByTestId(`restore-${restoreId}`).waitFor()
        const n = await page.getByRole('button', { name: 'Restore', exact: true }).count()
        if (n !== 3) throw new Error(`${n} restore buttons`)
      })
      await step('a restore dialog cancelled sends nothing', async () => {
        await page.getByTestId(`restore-${cancelId}`).click()
        const dlg = page.getByRole('alertdialog')
        await dlg.waitFor()
        await page.getByTestId('restore-confirm').fill('not the hostname')
        await dlg.getByRole('button', { name: 'Cancel' }).click()
        await dlg.waitFor({ state: 'detached' })
        if (asked.length) throw new Error(`asked: ${asked.join(' ')}`)
      })
      await step('restoring asks for the hostname typed; only then the restore is sent', async () => {
        await page.getByTestId(`restore-${restoreId}`).click()
        const dlg = page.getByRole('alertdialog')
        await dlg.waitFor()
        const go = dlg.getByRole('button', { name: 'Restore', exact: true })
        if (!(await go.isDisabled())) throw new Error('Restore enabled before the hostname is typed')
        const label = (await dlg.getByText(/^Type .* to confirm$/).textContent()) ?? ''
        const host = label.replace(/^Type (.*) to confirm$/, '$1')
        await page.getByTestId('restore-confirm').fill(host.slice(0, -1))
        if (!(await go.isDisabled())) throw new Error('Restore enabled with a wrong hostname')
        await page.getByTestId('restore-confirm').fill(host)
        await axe(page, 'restore dialog')
        await shot(page, out, 'restore-dialog.png', docs)
        const sent = page.waitForResponse((r) => r.url().includes(`/backups/${restoreId}/restore`))
        await go.click()
        const r = await sent
        if (r.status() !== 202) throw new Error(`status ${r.status()}`)
        await page.getByText(`Restore of backup ${restoreId} requested`).waitFor()
      })
      await step('the restore shows as queued under "Restores", and in the history', async () => {
        const row = page.getByTestId(`restore-of-${restoreId}`)
        await row.waitFor()
        if ((await row.getAttribute('data-status')) !== 'queued') throw new Error(`status ${await row.getAttribute('data-status')}`)
        await page.getByTestId('backups').getByText('backup restore.queued').waitFor()
        if (asked.length !== 1) throw new Error(`${asked.length} restore requests`)
      })
      await step('"Take snapshot" (the plan includes snapshots) queues one', async () => {
        await page.getByRole('button', { name: 'Take snapshot' }).click()
        await page.getByText('Snapshot requested').waitFor()
        await page.getByText('creating', { exact: true }).waitFor()
      })
    }
    await axe(page, 'backups tab')
    await shot(page, out, 'backups.png')
    await step('a pairing code is approved', async () => {
      await page.getByTestId('tab-pairing').click()
      await page.getByPlaceholder('ABCD2345').fill('abcd2345')
      await page.getByRole('button', { name: 'Approve', exact: true }).click()
      await page.getByText('Approved ABCD2345 on telegram').waitFor()
    })
    await axe(page, 'pairing tab')
    await shot(page, out, 'pairing.png')

    await step('German: the instance page speaks German after switching the language', async () => {
      await page.getByTestId('language').selectOption('de')
      await page.getByRole('tab', { name: 'KI-Schlüssel' }).waitFor()
      await page.getByRole('tab', { name: 'Übersicht' }).click()
      await page.getByRole('button', { name: 'Neu starten', exact: true }).or(page.getByText('Startet neu…')).first().waitFor()
      const lang = await page.evaluate(() => document.documentElement.lang)
      if (lang !== 'de') throw new Error(`html lang ${lang}`)
    })
    await axe(page, 'instance overview in German')
    await step('dark mode: the theme switch puts the page in dark colours', async () => {
      await page.getByTestId('theme').selectOption('dark')
      // let the colour transitions finish before axe measures contrast
      await page.waitForTimeout(500)
      const dark = await page.evaluate(() => document.documentElement.classList.contains('dark'))
      if (!dark) throw new Error('no dark class')
    })
    await axe(page, 'instance overview in dark mode')
    await shot(page, out, 'instance-de-dark.png', docs)
    await step('German and dark mode survive a reload; back to English and light', async () => {
      await page.reload()
      await page.getByRole('tab', { name: 'KI-Schlüssel' }).waitFor()
      if (!(await page.evaluate(() => document.documentElement.classList.contains('dark')))) throw new Error('theme lost')
      await page.getByTestId('language').selectOption('en')
      await page.getByTestId('theme').selectOption('light')
      await page.getByRole('tab', { name: 'AI keys' }).waitFor()
    })
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
    await axe(page, 'sign-in page, switching accounts')
    await shot(page, out, 'signin-switch.png')
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
  await axe(page, 'login page')
  await step('the magic-link form confirms the request', async () => {
    await page.getByLabel('Email').fill('nobody@example.com')
    await page.getByRole('button', { name: 'Email me a login link' }).click()
    await page.getByText('a login link is on its way').waitFor()
  })
  await shot(page, out, 'login.png', docs)

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
    await axe(page, 'used sign-in link')
    await shot(page, out, 'signin-used.png')
  }

  check(problems.length === 0, 'no script errors or CSP violations', problems.join('\n'))
} catch (e) {
  check(false, 'the browser run finished', e && e.stack)
} finally {
  await b.close()
}
process.exit(finish())
