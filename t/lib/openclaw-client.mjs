// Clients of the real OpenClaw gateway for t/735, each the one a real
// party uses (Node 24 from scripts/openclaw-deps.sh):
//
//   node openclaw-client.mjs pairing-request CHANNEL SENDER USERNAME
//       A stranger's DM to the bot, as a channel plugin records it: the
//       package's own plugin-SDK call upsertChannelPairingRequest (the
//       channel's network is not reachable here).  Prints {code, created}.
//   node openclaw-client.mjs origin PORT HOST ORIGIN CLIENT_IP
//       A page of ORIGIN opening the gateway's WebSocket through nginx
//       (wss://HOST/ on 127.0.0.1:PORT) and sending the Control UI's
//       connect request: prints {close, res} (the gateway's answer).
//   node openclaw-client.mjs ui PORT HOST TOKEN OUTDIR WAIT_S
//       The Control UI in headless Chromium (Debian's, driven by
//       playwright-core), reached as https://HOST/ through nginx: with a
//       wrong token and with none it is refused; with the gateway token
//       in the fragment (the dashboard's "Open OpenClaw" link) it is held
//       for pairing and prints "# pending <requestId>"; it then waits (at
//       most WAIT_S) for the page to connect on its own once approved.
//       One TAP line per check; exits 1 when one failed.
//
// Env: OCH_OPENCLAW_PKG (the openclaw package folder: its ws and plugin
// SDK), OCH_PLAYWRIGHT (the playwright-core package folder), CHROMIUM.
// Every wait is bounded.  A client names the public address it stands
// for in X-Test-Client-IP (see t/lib/OCH/VpsNginx.pm).
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { join } from 'node:path'

const pkg = process.env.OCH_OPENCLAW_PKG
const req = createRequire(join(pkg, 'package.json'))
const [mode, ...args] = process.argv.slice(2)

async function pairingRequest(channel, id, username) {
  const url = pathToFileURL(join(pkg, req('./package.json').exports['./plugin-sdk/conversation-runtime'].default))
  const sdk = await import(url)
  const r = await sdk.upsertChannelPairingRequest({ channel, id, accountId: 'default', meta: { username } })
  console.log(JSON.stringify(r))
}

function origin(port, host, org, ip) {
  const WebSocket = req('ws')
  return new Promise((resolve) => {
    const out = (o) => { console.log(JSON.stringify(o)); resolve() }
    const ws = new WebSocket(`wss://127.0.0.1:${port}/`, {
      servername: host, rejectUnauthorized: false, headers: { Host: host, Origin: org, 'X-Test-Client-IP': ip },
    })
    const timer = setTimeout(() => { ws.terminate(); out({ timeout: true }) }, 180000)
    let res = null
    ws.on('unexpected-response', (_q, r) => { clearTimeout(timer); out({ http: r.statusCode }) })
    ws.on('error', (e) => { clearTimeout(timer); out({ error: e.message }) })
    ws.on('message', (d) => {
      const m = JSON.parse(String(d))
      if (m.event === 'connect.challenge') {
        ws.send(JSON.stringify({ type: 'req', id: '1', method: 'connect', params: {
          minProtocol: 4, maxProtocol: 4, role: 'operator', scopes: ['operator.read'],
          client: { id: 'openclaw-control-ui', version: '2026.9.6', platform: 'linux', mode: 'webchat' } } }))
      } else if (m.type === 'res') res = m
    })
    ws.on('close', (code, reason) => { clearTimeout(timer); out({ close: code, reason: String(reason), res }) })
  })
}

let n = 0
let failed = 0
function check(cond, name, diag) {
  n++
  if (!cond) failed++
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${name}`)
  if (!cond && diag) console.log(`# ${String(diag).split('\n').join('\n# ')}`)
  return cond
}

// A page of the Control UI in its own browser context (its own device
// identity); resolves the first connect answer, and keeps every answer.
async function openUi(browser, host, fragment, ip) {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, extraHTTPHeaders: { 'X-Test-Client-IP': ip } })
  const page = await ctx.newPage()
  page.setDefaultTimeout(180000)
  const answers = []
  let wake = () => {}
  page.on('websocket', (ws) => ws.on('framereceived', (f) => {
    let m
    try { m = JSON.parse(String(f.payload)) } catch { return }
    if (m.type === 'res' && (m.payload?.type === 'hello-ok' || m.error)) {
      answers.push(m)
      wake()
    }
  }))
  // the next connect answer after `seen` answers, or null after ms
  const next = (seen, ms) => new Promise((resolve) => {
    const t = setTimeout(() => resolve(null), ms)
    const look = () => { if (answers.length > seen) { clearTimeout(t); resolve(answers[seen]) } }
    wake = look
    look()
  })
  await page.goto(`https://${host}/${fragment}`, { waitUntil: 'load' })
  return { ctx, page, answers, next }
}

async function ui(port, host, token, out, waitS) {
  const { chromium } = createRequire(join(process.env.OCH_PLAYWRIGHT, 'package.json'))('playwright-core')
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--host-resolver-rules=MAP ${host}:443 127.0.0.1:${port}`],
  })
  try {
    const code = (a) => a?.error?.details?.code ?? a?.error?.code ?? a?.payload?.type ?? 'none'
    for (const [what, frag, want, ip] of [['a wrong token', '#token=' + 'f'.repeat(64), 'AUTH_TOKEN_MISMATCH', '198.51.100.21'],
      ['no token', '', 'AUTH_TOKEN_MISSING', '198.51.100.22']]) {
      const u = await openUi(browser, host, frag, ip)
      const a = await u.next(0, 180000)
      check(code(a) === want, `the Control UI with ${what}: refused by the gateway (${want})`, JSON.stringify(a))
      await u.page.getByText('This Gateway expects its token').waitFor()
        .then(() => check(true, `with ${what}: the page asks for the token`), (e) => check(false, `with ${what}: the page asks for the token`, e.message))
      await u.ctx.close()
    }
    const u = await openUi(browser, host, '#token=' + token, '198.51.100.23')
    const a = await u.next(0, 180000)
    const rid = a?.error?.details?.requestId
    check(code(a) === 'PAIRING_REQUIRED' && rid, 'with the gateway token: past the origin and token checks, held for pairing', JSON.stringify(a))
    console.log(`# pending ${rid}`)
    check(!/#token|[0-9a-f]{64}/.test(u.page.url()), 'the token left the address bar')
    await u.page.getByText('Approve this browser').waitFor()
    await u.page.screenshot({ path: join(out, 'control-ui-pairing.png') })
    // the page retries on its own; approval comes from the dashboard
    const deadline = Date.now() + waitS * 1000
    const connected = () => u.answers.find((x) => code(x) === 'hello-ok')
    while (Date.now() < deadline && !connected()) await u.next(u.answers.length, Math.min(5000, deadline - Date.now()))
    check(connected(), 'once approved, the Control UI connects on its own (hello-ok)', JSON.stringify(u.answers.at(-1)))
    await u.page.getByText('Approve this browser').waitFor({ state: 'detached', timeout: 180000 })
      .then(() => check(true, 'and leaves the pairing page'), (e) => check(false, 'and leaves the pairing page', e.message))
    await u.page.screenshot({ path: join(out, 'control-ui-connected.png') })
    await u.ctx.close()
  } finally {
    await browser.close()
  }
  console.log(`# ${n - failed}/${n} checks passed`)
  process.exitCode = failed ? 1 : 0
}

if (mode === 'pairing-request') await pairingRequest(...args)
else if (mode === 'origin') await origin(...args)
else if (mode === 'ui') await ui(args[0], args[1], args[2], args[3], Number(args[4] ?? 600))
else {
  console.error('usage: openclaw-client.mjs pairing-request|origin|ui ...')
  process.exitCode = 2
}
