// bench/soak/load.mjs: an open-loop load generator for the soak run
// (bench/soak/run.pl starts the stack and hands this a plan as JSON on
// stdin).  Requests are started on a fixed schedule, whatever the
// answers take (so a slow server shows up as latency, not as a lower
// rate), from a weighted mix of routes; agents hold long polls the whole
// time; in the exhaustion phase slow clients trickle headers and extra
// long polls pile up while the mix goes on.  Every `report` seconds one
// JSON line goes to stdout: per route the count, statuses, p50/p99 ms.
// Node's own http module only: nothing to install.
import http from 'node:http';
import net from 'node:net';
import crypto from 'node:crypto';

const plan = JSON.parse(await new Promise((ok) => {
	let s = '';
	process.stdin.on('data', (d) => { s += d; }).on('end', () => ok(s));
}));
const base = new URL(plan.base);
// no queue in the client: every request started gets its own connection
// at once (or a kept-alive one), so latency is the server's; the number
// unanswered is capped instead (plan.max_inflight), and what the cap
// holds back is counted, not queued
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const pollAgent = new http.Agent({ keepAlive: true, maxSockets: 4096 });

function sign(method, target, body) {
	const ts = Math.floor(Date.now() / 1000).toString();
	const nonce = crypto.randomBytes(16).toString('hex');
	const canon = [method, target, ts, nonce,
		crypto.createHash('sha256').update(body ?? '').digest('hex')].join('\n');
	return { 'X-OCH-Key': plan.hmac.key, 'X-OCH-Timestamp': ts, 'X-OCH-Nonce': nonce,
		'X-OCH-Signature': crypto.createHmac('sha256', plan.hmac.secret).update(canon).digest('hex') };
}

let stats = new Map();
function record(route, status, ms) {
	let s = stats.get(route);
	if (!s) stats.set(route, s = { n: 0, st: {}, lat: [] });
	s.n++;
	s.st[status] = (s.st[status] ?? 0) + 1;
	s.lat.push(ms);
}

// Each simulated client has its own loopback address (127.0.1.x the
// customers' browsers, 127.0.2.x the VPS agents, 127.0.3.1 WHMCS,
// 127.0.4.1 a monitor, 127.0.9.x the slow clients), as on the internet:
// nginx's per-client limits apply per client, not to the whole run.
function request(route, method, path, { headers = {}, body, ag = agent, timeout = 60000, local, want } = {}) {
	return new Promise((done) => {
		const t0 = performance.now();
		const h = { ...headers };
		if (body !== undefined) { h['content-type'] = 'application/json'; h['content-length'] = Buffer.byteLength(body); }
		const rq = http.request({ host: base.hostname, port: base.port, method, path, headers: h, agent: ag, timeout,
			localAddress: local }, (res) => {
			let b = '';
			res.on('data', (d) => { if (want) b += d; });
			res.on('end', () => {
				record(route, res.statusCode, performance.now() - t0);
				if (want && res.statusCode === 200) { try { want(JSON.parse(b)); } catch { /* not JSON */ } }
				done(res.statusCode);
			});
		});
		rq.on('timeout', () => rq.destroy(new Error('timeout')));
		rq.on('error', (e) => { record(route, e.message === 'timeout' ? 'timeout' : 'neterr', performance.now() - t0); done(0); });
		if (body !== undefined) rq.write(body);
		rq.end();
	});
}

const pick = (a) => a[Math.floor(Math.random() * a.length)];
const WHMCS = '127.0.3.1';
plan.customers.forEach((c, i) => { c.addr = `127.0.1.${i + 1}`; });
plan.agents.forEach((a, i) => { a.addr = `127.0.2.${i + 1}`; });
let orderSeq = plan.order_base ?? 100000;
// the mix: [weight, route name, function]
const mix = [
	[30, 'GET /api/v1/me', () => { const c = pick(plan.customers); return request('GET /api/v1/me', 'GET', '/api/v1/me', { headers: { cookie: c.cookie }, local: c.addr }); }],
	[20, 'GET /api/v1/instances/{id}', () => { const c = pick(plan.customers); return request('GET /api/v1/instances/{id}', 'GET', `/api/v1/instances/${c.instance}`, { headers: { cookie: c.cookie }, local: c.addr }); }],
	[10, 'GET /api/v1/instances/{id}/metrics', () => { const c = pick(plan.customers); return request('GET /api/v1/instances/{id}/metrics', 'GET', `/api/v1/instances/${c.instance}/metrics?series=cpu_util&range=1h`, { headers: { cookie: c.cookie }, local: c.addr }); }],
	[10, 'GET /api/v1/instances/{id}/channels', () => { const c = pick(plan.customers); return request('GET /api/v1/instances/{id}/channels', 'GET', `/api/v1/instances/${c.instance}/channels`, { headers: { cookie: c.cookie }, local: c.addr }); }],
	[10, 'WHMCS GET /api/v1/instances?whmcs_service_id=', () => { const c = pick(plan.customers); const t = `/api/v1/instances?whmcs_service_id=${c.service}`; return request('WHMCS GET /api/v1/instances?whmcs_service_id=', 'GET', t, { headers: sign('GET', t), local: WHMCS }); }],
	[5, 'WHMCS GET /api/v1/ping', () => request('WHMCS GET /api/v1/ping', 'GET', '/api/v1/ping', { headers: sign('GET', '/api/v1/ping'), local: WHMCS })],
	[8, 'agent GET /api/v1/agent/config', () => { const a = pick(plan.agents); return request('agent GET /api/v1/agent/config', 'GET', '/api/v1/agent/config', { headers: { authorization: `Bearer ${a.token}` }, local: a.addr }); }],
	[2, 'agent POST /api/v1/agent/report', () => { const a = pick(plan.agents); return request('agent POST /api/v1/agent/report', 'POST', '/api/v1/agent/report', { headers: { authorization: `Bearer ${a.token}` }, local: a.addr, body: JSON.stringify({ agent_version: 'soak', openclaw_version: '2026.9.6', health: { live: true, ready: true, failing: [] }, channels: [], pairing_requests: [] }) }); }],
	[5, 'GET /api/health', () => request('GET /api/health', 'GET', '/api/health', { local: '127.0.4.1' })],
];
const total = mix.reduce((a, m) => a + m[0], 0);
function oneOfMix() {
	let r = Math.random() * total;
	for (const m of mix) { if ((r -= m[0]) < 0) return m[2](); }
	return mix[0][2]();
}
function order() {
	const id = ++orderSeq;
	const body = JSON.stringify({ whmcs_service_id: id, whmcs_client_id: id, email: `soak-${id}@example.com`, plan: 'starter', region: 'eu-helsinki' });
	return request('WHMCS POST /api/v1/instances (order)', 'POST', '/api/v1/instances', { headers: sign('POST', '/api/v1/instances', body), body, local: WHMCS });
}

let running = true;
// the agents' long polls, one per agent, back to back
async function longPoll(a, route, until) {
	// as och-agent does: the revision it has, so the poll waits for news
	let rev = 0;
	while (running && performance.now() < until) {
		const st = await request(route, 'GET', `/api/v1/agent/commands?wait=25&config_revision=${rev}`, {
			headers: { authorization: `Bearer ${a.token}` }, ag: pollAgent, timeout: 40000, local: a.addr,
			want: (j) => { if (Number.isInteger(j.config_revision)) rev = j.config_revision; } });
		if (st !== 200 && st !== 204) await new Promise((r) => setTimeout(r, 1000));
	}
}

// slow clients: connect, send a header line every few seconds, never finish
const slow = [];
function slowClient(until) {
	// spread over 127.0.9.1-250: a distributed attacker, not one address
	const s = net.connect({ port: base.port, host: base.hostname, localAddress: `127.0.9.${1 + slow.length % 250}` }, () => {
		s.write(`GET /api/health HTTP/1.1\r\nHost: ${base.hostname}\r\n`);
		const iv = setInterval(() => {
			if (!running || performance.now() > until) { clearInterval(iv); s.destroy(); return; }
			s.write(`X-Slow-${Math.floor(Math.random() * 1e6)}: x\r\n`);
		}, 5000);
	});
	s.on('error', () => {});
	s.on('close', () => {	// closed by the server: come back, as an attacker would
		slowClosed++;
		if (running && performance.now() < until) setTimeout(() => slowClient(until), 100);
	});
	slow.push(s);
}
let slowClosed = 0;

function summary(phase, elapsed) {
	const out = { phase, t: Math.round(elapsed), routes: {} };
	for (const [k, s] of stats) {
		s.lat.sort((a, b) => a - b);
		const q = (p) => s.lat.length ? +s.lat[Math.min(s.lat.length - 1, Math.floor(p * s.lat.length))].toFixed(2) : null;
		out.routes[k] = { n: s.n, status: s.st, p50: q(0.5), p99: q(0.99), max: q(1) };
	}
	out.answered_per_s = +(Array.from(stats.values()).reduce((a, x) => a + x.n, 0) / Math.max(1, elapsed - phaseStart)).toFixed(1);
	out.skipped_inflight_cap = dropped;
	out.slow_opened = slow.length;
	out.slow_closed_by_server = slowClosed;
	return out;
}

const t0 = performance.now();
const phases = plan.phases;	// [{name, seconds, slow, extra_polls}]
const interval = 10;		// ms per tick
let owed = 0, next = t0, phaseEnd = t0, pi = -1, reportAt = t0 + plan.report * 1000, last = t0;
let inflight = 0, dropped = 0, phaseStart = 0;	// requests the generator had to skip: too many unanswered
let orderOwed = 0;
for (const a of plan.agents) longPoll(a, 'agent GET /api/v1/agent/commands (long poll)', t0 + phases.reduce((s, p) => s + p.seconds, 0) * 1000);
while (true) {
	const now = performance.now();
	if (now >= phaseEnd) {
		if (pi >= 0) { console.log(JSON.stringify(summary(phases[pi].name, (now - t0) / 1000))); stats = new Map(); dropped = 0; }
		phaseStart = (now - t0) / 1000;
		if (++pi >= phases.length) break;
		const p = phases[pi];
		phaseEnd = now + p.seconds * 1000;
		reportAt = now + plan.report * 1000;
		for (let i = 0; i < (p.slow ?? 0); i++) slowClient(phaseEnd);
		for (let i = 0; i < (p.extra_polls ?? 0); i++) longPoll(plan.agents[i % plan.agents.length], 'agent GET /api/v1/agent/commands (extra long poll)', phaseEnd);
	}
	if (now >= reportAt) {
		console.log(JSON.stringify({ ...summary(phases[pi].name + ' (so far)', (now - t0) / 1000), partial: true }));
		reportAt = now + plan.report * 1000;
	}
	// owed by the clock, not by ticks: a late tick sends more (open loop)
	const dt = (now - last) / 1000;
	last = now;
	owed += plan.rate * dt;
	while (owed >= 1) {
		if (inflight < (plan.max_inflight ?? 512)) { inflight++; oneOfMix().then(() => inflight--); } else dropped++;
		owed--;
	}
	orderOwed += (plan.orders_per_s ?? 0) * dt;
	while (orderOwed >= 1) { order(); orderOwed--; }
	next += interval;
	if (next < performance.now() - 1000) next = performance.now();
	const wait = next - performance.now();
	if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
running = false;
for (const s of slow) s.destroy();
agent.destroy();
pollAgent.destroy();
process.exit(0);
