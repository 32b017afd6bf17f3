// End-to-end check of the admin panel in headless Chromium, the operator's
// way: /admin/ asks for a login, the magic link comes out of och-cloudsim's
// mailbox (sent by `och-poller maintain`), then every admin page and its
// actions: dashboard, instance search/filter/sort/pages, an instance's
// retry, agent command, suspend and rebuild behind confirmations (one by
// keyboard), open as customer (read-only: a write refused, the view ended),
// provisioning, WHMCS drift, audit log with CSV export, plans, users with
// the last-admin rule, the skills catalogue, the warm pool (caps and
// targets); German; axe-core everywhere.
//
//   E2E_BASE=… E2E_SIM=… E2E_ADMIN=email E2E_FIX='{…}' E2E_POLLER='{cmd, env}' \
//   node e2e/admin.mjs OUTDIR
//
// E2E_FIX: {active: {id, slug}, failed: {id, slug}, drift: {slug},
// customer: email (the active one's owner), total: N (instances not
// terminated), budget: {remaining, limit} (Hetzner's, as a poller saw it),
// pool: {plan, region, image, ready, max_servers} (a target and its waiting servers)}.  Prints TAP lines;
// exits 1 when a check failed.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { axe, check, finish, launch, shot, step } from './lib.mjs'

const out = process.argv[2]
const base = process.env.E2E_BASE
const sim = process.env.E2E_SIM
const email = process.env.E2E_ADMIN
const fix = JSON.parse(process.env.E2E_FIX ?? '{}')
const poller = JSON.parse(process.env.E2E_POLLER ?? '{}')
const docs = process.env.E2E_DOCS
if (!out || !base || !sim || !email || !fix.active) {
  console.error('usage: E2E_BASE=… E2E_SIM=… E2E_ADMIN=… E2E_FIX=… node e2e/admin.mjs OUTDIR')
  process.exit(2)
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

let b
try {
  b = await launch()
} catch (e) {
  check(false, 'chromium starts', e.message)
  process.exit(finish())
}
const { page, problems } = b
const nav = async (key) => {
  await page.getByTestId(`nav-${key}`).click()
  await page.waitForFunction(() => !document.body.innerText.includes('Loading…'))
}
try {
  await step('/admin/ without a session shows the login page', async () => {
    await page.goto(`${base}/admin/`)
    await page.getByRole('heading', { name: 'Log in' }).waitFor()
  })
  await step('the admin asks for a login link', async () => {
    await page.getByLabel('Email').fill(email)
    await page.getByRole('button', { name: 'Email me a login link' }).click()
    await page.getByText('a login link is on its way').waitFor()
  })
  let link = ''
  await step('the link arrives in the simulator\'s mailbox (och-poller maintain sends it)', async () => {
    const r = spawnSync(poller.cmd[0], poller.cmd.slice(1), { env: { ...process.env, ...poller.env }, encoding: 'utf8', timeout: 60000 })
    if (r.status !== 0) throw new Error(`poller: ${r.status} ${r.stderr}`)
    for (let i = 0; i < 30 && !link; i++) {
      const res = await fetch(`${sim}/_sim/emails`)
      const j = await res.json()
      for (const m of j.emails ?? []) {
        const to = Array.isArray(m.to) ? m.to : [m.to]
        if (!to.includes(email)) continue
        const found = `${m.text ?? ''}`.match(/https?:\/\/\S+\/signin#magic=[0-9a-f]+/)
        if (found) link = found[0]
      }
      if (!link) await sleep(1000)
    }
    if (!link) throw new Error('no login link for the admin')
  })
  await step('the link opens the sign-in page naming the operator account; "Continue" signs in', async () => {
    await page.goto(link)
    const who = await page.getByTestId('signin-account').textContent()
    if (who !== email) throw new Error(`account shown: ${who}`)
    await page.getByText('operator account').waitFor()
    await page.getByTestId('signin-confirm').click()
    await page.getByTestId('user-email').filter({ hasText: email }).waitFor()
    await page.getByTestId('admin-link').click()
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
  })

  await step('dashboard: the fleet at a glance', async () => {
    await page.getByTestId('adm-tiles').waitFor()
    const n = await page.getByTestId('tile-instances').textContent()
    if (Number(n) !== fix.total) throw new Error(`instances tile ${n}, want ${fix.total}`)
    const f = await page.getByTestId('tile-failed').textContent()
    if (Number(f) !== 1) throw new Error(`failed tile ${f}`)
    const d = await page.getByTestId('tile-drift').textContent()
    if (Number(d) < 1) throw new Error(`drift tile ${d}`)
    const hz = await page.getByTestId('tile-budget').textContent()
    if (hz !== `${fix.budget.remaining} / ${fix.budget.limit}`) throw new Error(`Hetzner budget tile ${hz}`)
    if (!/text-destructive/.test(await page.getByTestId('tile-budget').getAttribute('class'))) throw new Error('a budget under 10 % is not red')
    await page.getByText(/maintain ·/).first().waitFor()
    await page.getByTestId('adm-daily').locator('.recharts-bar-rectangle').first().waitFor()
  })
  await axe(page, 'admin dashboard')
  await shot(page, out, 'admin-dashboard.png', docs)

  await step('instances: the first page of 50 and the next page', async () => {
    await nav('instances')
    await page.getByTestId('adm-instance-row').first().waitFor()
    const rows = await page.getByTestId('adm-instance-row').count()
    if (rows !== Math.min(50, fix.total)) throw new Error(`rows ${rows}`)
    await page.getByTestId('adm-next').click()
    await page.waitForURL(/offset=50/)
    await page.getByText(`51–${fix.total} of ${fix.total}`).waitFor()
  })
  await step('instances: search by slug finds exactly that instance', async () => {
    await page.getByTestId('adm-q').fill(fix.active.slug)
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await page.getByText('1–1 of 1').waitFor()
    const t = await page.getByTestId('adm-instance-row').textContent()
    if (!t.includes(fix.active.slug)) throw new Error(t)
  })
  await step('instances: the state filter (from the schema\'s list) shows the failed one', async () => {
    // the previous answer ("1–1 of 1", the slug search) stays on screen while
    // the next loads: wait for each answer by what only it shows
    await page.getByTestId('adm-q').fill('')
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await page.getByText(`1–50 of ${fix.total}`).waitFor()
    await page.getByTestId('adm-state').selectOption('failed')
    await page.waitForURL(/state=failed/)
    await page.getByTestId('adm-instance-row').filter({ hasText: fix.failed.slug }).waitFor()
    await page.getByText('1–1 of 1').waitFor()
    const rows = await page.getByTestId('adm-instance-row').count()
    if (rows !== 1) throw new Error(`rows ${rows}`)
  })
  // the rows on screen, once they are the new answer's (the old page stays while the next loads)
  const ordered = (dir) => page.waitForFunction((d) => {
    const c = [...document.querySelectorAll('[data-testid=adm-instance-row] td:first-child')].map((e) => e.textContent)
    return c.length > 40 && c.every((x, i) => i === 0 || (d === 'asc' ? c[i - 1] <= x : c[i - 1] >= x))
  }, dir)
  await step('instances: sort by slug descending, then ascending', async () => {
    await page.getByTestId('adm-state').selectOption('')
    await page.getByText(`1–50 of ${fix.total}`).waitFor()
    await page.getByTestId('sort-slug').click()
    await page.waitForURL(/sort=slug/)
    await ordered('desc')
    await page.getByTestId('sort-slug').click()
    await page.waitForURL(/dir=asc/)
    await ordered('asc')
    const sorted = await page.locator('th[aria-sort]').getAttribute('aria-sort')
    if (sorted !== 'ascending') throw new Error(`aria-sort ${sorted}`)
  })
  await axe(page, 'admin instances')
  await shot(page, out, 'admin-instances.png', docs)

  await step('the failed instance: retry is confirmed and the instance resumes', async () => {
    await page.goto(`${base}/admin/instances/${fix.failed.id}`)
    await page.getByTestId('adm-slug').filter({ hasText: fix.failed.slug }).waitFor()
    await page.getByTestId('adm-retry').click()
    await page.getByRole('alertdialog').waitFor()
    await axe(page, 'admin retry dialog')
    await page.getByRole('alertdialog').getByRole('button', { name: 'Retry' }).click()
    await page.getByText(/Retry requested;/).waitFor()   // the alert, not the new history row
    await page.waitForFunction(() => document.querySelector('[data-testid=state]')?.getAttribute('data-state') !== 'failed')
  })
  await step('the running instance: keyboard through the suspend dialog (Esc cancels, nothing sent)', async () => {
    await page.goto(`${base}/admin/instances/${fix.active.id}`)
    await page.getByTestId('adm-slug').filter({ hasText: fix.active.slug }).waitFor()
    await page.getByTestId('adm-suspend').focus()
    await page.keyboard.press('Enter')
    const dlg = page.getByRole('alertdialog')
    await dlg.waitFor()
    for (let i = 0; i < 3; i++) {
      if (!await page.evaluate(() => !!document.activeElement?.closest('[role=alertdialog]'))) throw new Error('focus left the dialog')
      await page.keyboard.press('Tab')
    }
    await page.keyboard.press('Escape')
    await dlg.waitFor({ state: 'detached' })
    // Radix returns focus in its close-autofocus step, a frame after the dialog leaves the DOM
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'adm-suspend', null, { timeout: 5000 }).catch(() => {})
    const back = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))
    if (back !== 'adm-suspend') throw new Error(`focus not returned (on ${back})`)
  })
  await step('the running instance: "Restart gateway" queues an agent command', async () => {
    await page.getByTestId('adm-cmd-restart').click()
    await page.getByRole('alertdialog').getByRole('button', { name: 'Restart gateway' }).click()
    await page.getByText('restart queued').waitFor()
    await page.getByTestId('adm-commands').getByText('restart').waitFor()
  })
  await step('the update dialog takes a version and queues the update', async () => {
    await page.getByTestId('adm-cmd-update').click()
    await page.getByRole('dialog').waitFor()
    await axe(page, 'admin update dialog')
    await page.getByLabel('OpenClaw version').fill('2026.9.6')
    await page.getByRole('dialog').getByRole('button', { name: 'Update OpenClaw' }).click()
    await page.getByText('update queued').waitFor()
  })
  await step('the instance page shows history, audit trail and agent report sections', async () => {
    await page.getByTestId('adm-inst-audit').getByText('admin.instance.command').first().waitFor()
    await page.getByTestId('adm-report').waitFor()
  })
  await axe(page, 'admin instance page')
  await shot(page, out, 'admin-instance.png', docs)
  await step('rebuild is confirmed first, then requested', async () => {
    await page.getByTestId('adm-rebuild').click()
    const dlg = page.getByRole('alertdialog')
    await dlg.getByText(/reinstalled from the image/).waitFor()
    await axe(page, 'admin rebuild dialog')
    await dlg.getByRole('button', { name: 'Rebuild' }).click()
    await page.getByText(/Rebuild requested;/).waitFor()
    await page.getByTestId('adm-inst-audit').getByText('admin.instance.rebuild').first().waitFor()
    if (!await page.getByTestId('adm-rebuild').isDisabled()) throw new Error('rebuild still offered while one is pending')
  })
  await step('"Open as customer": confirmed, the customer\'s page under a read-only banner', async () => {
    await page.getByTestId('adm-view').click()
    await page.getByRole('alertdialog').getByText(/read-only/).waitFor()
    await page.getByRole('alertdialog').getByRole('button', { name: 'Open as customer' }).click()
    await page.getByTestId('slug').filter({ hasText: fix.active.slug }).waitFor()
    const banner = await page.getByTestId('view-banner').textContent()
    if (!banner.includes(fix.customer) || !banner.includes(email)) throw new Error(banner)
    await page.getByTestId('user-email').filter({ hasText: fix.customer }).waitFor()
    if (await page.getByTestId('admin-link').count() !== 0) throw new Error('admin link shown in the view')
  })
  await axe(page, 'customer page in a read-only view')
  await step('the view refuses a write, and says why', async () => {
    await page.getByTestId('tab-channels').click()
    await page.getByTestId('channel-telegram-edit').click()
    await page.getByPlaceholder('123456:ABC-DEF…').fill('7777777:AAbbCCddEEff')
    const ch = page.getByTestId('channel-telegram')
    await ch.getByRole('button', { name: 'Save', exact: true }).click()
    await ch.getByRole('alert').filter({ hasText: /read-only view/ }).waitFor()
  })
  await step('"End view" returns to the admin\'s instance page, signed in as the admin', async () => {
    await page.getByTestId('view-end').click()
    await page.getByTestId('adm-slug').filter({ hasText: fix.active.slug }).waitFor()
    await page.getByTestId('user-email').filter({ hasText: email }).waitFor()
    if (await page.getByTestId('view-banner').count() !== 0) throw new Error('banner still shown')
  })

  await step('provisioning: the queue, the pollers and the outboxes', async () => {
    await nav('provisioning')
    await page.getByTestId('adm-queue').waitFor()
    await page.getByTestId('adm-queue').getByText(fix.failed.slug).waitFor()
    await page.getByText(/maintain/).first().waitFor()
  })
  await axe(page, 'admin provisioning')
  await shot(page, out, 'admin-provisioning.png', docs)

  await step('WHMCS sync: the drifting service with its reason and fix', async () => {
    await nav('whmcs')
    const row = page.getByTestId('adm-drift-row').filter({ hasText: fix.drift.slug })
    await row.waitFor()
    const t = await row.textContent()
    if (!/status differs/.test(t) || !/Set the service status in WHMCS/.test(t)) throw new Error(t)
  })
  await axe(page, 'admin WHMCS sync')

  await step('audit: filtered by action, with the retry made above', async () => {
    await nav('audit')
    await page.getByTestId('audit-action').fill('admin.instance.retry')
    await page.getByRole('button', { name: 'Apply' }).click()
    await page.waitForURL(/action=admin.instance.retry/)
    // the unfiltered page stays on screen until the filtered one arrives
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid=audit-row]')].map((e) => e.textContent)
      return rows.length > 0 && rows.every((t) => t.includes('admin.instance.retry'))
    })
  })
  await step('audit: CSV export of the filtered entries', async () => {
    const dl = page.waitForEvent('download')
    await page.getByTestId('audit-export').click()
    const d = await dl
    const csv = readFileSync(await d.path(), 'utf8')
    const lines = csv.trim().split('\r\n')
    if (!lines[0].startsWith('id,at,actor_kind')) throw new Error(lines[0])
    if (lines.length < 2 || !lines.slice(1).every((l) => l.includes('admin.instance.retry'))) throw new Error(csv.slice(0, 300))
    await page.getByText(/entries exported/).waitFor()
  })
  await step('audit: the prefix filter pages through older entries', async () => {
    await page.getByTestId('audit-action').fill('admin.')
    await page.getByRole('button', { name: 'Apply' }).click()
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=audit-row]')]
      .some((e) => !e.textContent.includes('admin.instance.retry')))
    const n = await page.getByTestId('audit-row').count()
    if (n === 100) {
      await page.getByTestId('audit-next').click()
      await page.waitForURL(/before_id=/)
      await page.getByTestId('audit-row').first().waitFor()
    }
  })
  await axe(page, 'admin audit log')
  await shot(page, out, 'admin-audit.png', docs)

  await step('plans: the starter price is changed in the dialog', async () => {
    await nav('plans')
    await page.getByTestId('plan-starter').getByRole('button').click()
    await page.getByRole('dialog').waitFor()
    await axe(page, 'admin plan dialog')
    await page.getByLabel('Price (cents)').fill('2100')
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click()
    await page.getByRole('dialog').waitFor({ state: 'detached' })
    await page.getByTestId('plan-starter').getByText(/21[.,]00/).waitFor()
  })
  await step('plans: a bad value is refused with the API\'s reason, nothing lost', async () => {
    await page.getByTestId('plan-starter').getByRole('button').click()
    await page.getByLabel('vCPUs').fill('999')
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click()
    const a = page.getByRole('dialog').getByRole('alert')
    await a.waitFor()
    if (!/vcpus/.test(await a.textContent())) throw new Error(await a.textContent())
    if (await page.getByLabel('vCPUs').inputValue() !== '999') throw new Error('input lost')
    await page.keyboard.press('Escape')
  })
  await step('regions come from the API', async () => {
    await page.getByTestId('adm-regions').getByText('eu-helsinki').waitFor()
  })
  await axe(page, 'admin plans')
  await shot(page, out, 'admin-plans.png', docs)

  const roleChange = async (who, to) => {
    await page.getByTestId(`user-${who}`).getByRole('button', { name: to }).click()
    await page.getByRole('alertdialog').getByRole('button', { name: to }).click()
  }
  await step('users: the second admin is demoted', async () => {
    await nav('users')
    await roleChange(fix.second, 'Make customer')
    await page.getByText(`${fix.second} is now a customer`).waitFor()
  })
  await step('users: the last admin cannot demote themself (the API says why)', async () => {
    await roleChange(email, 'Make customer')
    const a = page.getByRole('alert')
    await a.waitFor()
    if (!/last admin/i.test(await a.textContent())) throw new Error(await a.textContent())
  })
  await step("users: a WHMCS client's user cannot be made an admin (the API says why)", async () => {
    await roleChange(fix.customer, 'Make admin')
    await page.getByRole('alert').filter({ hasText: /WHMCS client/ }).waitFor()
  })
  await step('users: the second admin is promoted again', async () => {
    await roleChange(fix.second, 'Make admin')
    await page.getByText(`${fix.second} is now an administrator`).waitFor()
    await page.getByTestId(`user-${fix.second}`).getByText('admin', { exact: true }).waitFor()
  })
  await axe(page, 'admin users')

  await step('skills: a new skill is added to the catalogue', async () => {
    await nav('skills')
    await page.getByTestId('skill-new').click()
    await page.getByLabel('Name', { exact: true }).fill('e2e-notes')
    await page.getByLabel('Display name').fill('E2E notes')
    await page.getByLabel('Package').fill('@openclaw/e2e-notes')
    await page.getByLabel('Version').fill('1.0.0')
    await page.getByLabel('Description').fill('Added by the admin e2e run')
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click()
    await page.getByTestId('adm-skill-e2e-notes').waitFor()
  })
  await step('skills: a duplicate package is refused with the reason', async () => {
    await page.getByTestId('skill-new').click()
    await page.getByLabel('Name', { exact: true }).fill('e2e-dup')
    await page.getByLabel('Display name').fill('Dup')
    await page.getByLabel('Package').fill('@openclaw/e2e-notes')
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click()
    const a = page.getByRole('dialog').getByRole('alert')
    await a.waitFor()
    if (!/another skill has this package/.test(await a.textContent())) throw new Error(await a.textContent())
    await page.keyboard.press('Escape')
  })
  await step('skills: retiring asks first, then marks it retired', async () => {
    await page.getByTestId('retire-e2e-notes').click()
    await page.getByRole('alertdialog').getByRole('button', { name: 'Retire' }).click()
    await page.getByTestId('adm-skill-e2e-notes').getByText('retired').waitFor()
  })
  await axe(page, 'admin skills')
  await shot(page, out, 'admin-skills.png', docs)

  await step('pool: the targets, what waits and the caps as the API has them', async () => {
    await nav('pool')
    const row = page.getByTestId(`pool-${fix.pool.plan}-${fix.pool.region}`)
    await row.waitFor()
    await row.getByText(fix.pool.image).waitFor()
    const ready = await row.getByTestId('pool-ready').textContent()
    if (Number(ready) !== fix.pool.ready) throw new Error(`ready ${ready}, want ${fix.pool.ready}`)
    const n = await page.getByTestId('pool-servers').textContent()
    if (n !== `${fix.pool.ready} / ${fix.pool.max_servers}`) throw new Error(`servers tile ${n}`)
  })
  await step('pool: a bad cap is refused with the reason and nothing is lost', async () => {
    await page.getByLabel('Maximum age (hours)').fill('0')
    await page.getByTestId('pool-save').click()
    await page.getByRole('alert').filter({ hasText: /max_age_hours 1\.\.8760/ }).waitFor()
    if (await page.getByLabel('Maximum age (hours)').inputValue() !== '0') throw new Error('input lost')
    await page.getByLabel('Maximum age (hours)').fill('168')
  })
  await step('pool: the caps, a target and a new plan and region are saved in one go', async () => {
    await page.getByLabel('Most pool servers').fill('7')
    await page.getByLabel('Most spend per month (cents)').fill('12345')
    await page.getByLabel(`Target for ${fix.pool.plan} in ${fix.pool.region}`).fill('3')
    await page.getByLabel('Plan', { exact: true }).selectOption('professional')
    await page.getByLabel('Region', { exact: true }).selectOption('eu-nuremberg')
    await page.getByLabel('Target', { exact: true }).fill('1')
    await page.getByLabel('Cost of one server per month (cents)').fill('999')
    await page.getByTestId('pool-save').click()
    await page.getByText('Pool saved.').waitFor()
    await page.getByTestId('pool-professional-eu-nuremberg').waitFor()
    await page.getByTestId('pool-servers').filter({ hasText: `${fix.pool.ready} / 7` }).waitFor()
    const v = await page.getByLabel(`Target for ${fix.pool.plan} in ${fix.pool.region}`).inputValue()
    if (v !== '3') throw new Error(`target shown ${v}`)
  })
  await axe(page, 'admin pool')
  await shot(page, out, 'admin-pool.png', docs)

  await step('German: the admin panel speaks German', async () => {
    await page.getByTestId('language').selectOption('de')
    await page.getByRole('heading', { name: 'Warm-Pool' }).waitFor()
    await page.getByRole('heading', { name: 'Obergrenzen' }).waitFor()
    await page.getByTestId('nav-dashboard').click()
    await page.getByRole('heading', { name: 'Übersicht' }).waitFor()
    await page.getByText('Nach Zustand').waitFor()
  })
  await axe(page, 'admin dashboard in German')
  await page.getByTestId('language').selectOption('en')

  check(problems.length === 0, 'no script errors or CSP violations', problems.join('\n'))
} catch (e) {
  check(false, 'the browser run finished', e && e.stack)
} finally {
  await b.close()
}
process.exit(finish())
