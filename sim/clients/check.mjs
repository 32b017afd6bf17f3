// The official Cloudflare (npm cloudflare) and Resend (npm resend) SDKs
// against och-cloudsim: every call the product makes, pagination, and
// every error kind the simulator injects (/_sim/faults), as the SDKs see
// them.  Run by t/509-sim-clients.t with Node 24:
//   node check.mjs http://127.0.0.1:PORT cloudflare|resend
// Prints one TAP-like line per check ("ok - ..." / "not ok - ... # why")
// and ends with "# checks N"; exits 0 (the Perl test counts the lines).
import Cloudflare from 'cloudflare';
import { Resend } from 'resend';

const [base, which] = process.argv.slice(2);
let n = 0;
function check(name, cond, why) {
	n++;
	console.log(`${cond ? 'ok' : 'not ok'} - ${name}${cond ? '' : ` # ${why ?? ''}`}`);
}
async function sim(method, path, body) {
	const r = await fetch(`${base}/_sim${path}`, {
		method, headers: { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return r.status === 204 ? null : r.json();
}
const fault = (service, route, script, extra = {}) =>
	sim('POST', '/faults', { service, route, script, ...extra });
async function count(service, route) {
	return (await sim('GET', '/stats'))[service]?.[route] ?? 0;
}
// The error a promise rejects with (null when it resolves).
async function failure(p) {
	try { await p; return null; } catch (e) { return e; }
}
const cfCode = (e) => e?.errors?.[0]?.code;

async function cloudflare() {
	const baseURL = `${base}/cloudflare/client/v4`;
	const cf = new Cloudflare({ apiToken: 'sim-cloudflare-token', baseURL, maxRetries: 0 });
	const cfg = await sim('GET', '/config');
	const zone = cfg.cloudflare_zone;
	const domain = cfg.domain;

	const v = await cf.user.tokens.verify();
	check('tokens.verify: active', v.status === 'active', JSON.stringify(v));
	const raw = await (await cf.user.tokens.verify().asResponse()).json();
	check('tokens.verify carries its message', raw.messages?.[0]?.message ===
	    'This API Token is valid and active' && raw.messages[0].code === 10000,
	    JSON.stringify(raw.messages));
	const bad = new Cloudflare({ apiToken: 'nope', baseURL, maxRetries: 0 });
	let e = await failure(bad.user.tokens.verify());
	check('wrong token: PermissionDeniedError 10000',
	    e instanceof Cloudflare.PermissionDeniedError && cfCode(e) === 10000, String(e));

	await sim('DELETE', '/stats');
	const zones = [];
	for await (const z of cf.zones.list()) zones.push(z);
	check('zones.list auto-pagination: the one zone', zones.length === 1 && zones[0].id === zone,
	    JSON.stringify(zones.map((z) => z.id)));
	check('... and it ends: page 1, then an empty page 2', await count('cloudflare', 'GET /zones') === 2,
	    String(await count('cloudflare', 'GET /zones')));
	const byName = await cf.zones.list({ name: domain });
	check('zones.list by name', byName.result.length === 1 && byName.result_info.total_count === 1,
	    JSON.stringify(byName.result_info));
	check('zones.list by another name: none', (await cf.zones.list({ name: 'other.test' })).result.length === 0);
	check('zones.get', (await cf.zones.get({ zone_id: zone })).name === domain);

	const name = `vps-sdk.${domain}`;
	const a = await cf.dns.records.create({ zone_id: zone, type: 'A', name, content: '192.0.2.10', ttl: 1,
	    proxied: false, comment: 'och' });
	check('dns.records.create A', a.id && a.name === name && a.content === '192.0.2.10', JSON.stringify(a));
	const aaaa = await cf.dns.records.create({ zone_id: zone, type: 'AAAA', name, content: '2001:db8::10', ttl: 1 });
	check('dns.records.create AAAA', aaaa.type === 'AAAA');
	const mine = [];
	for await (const r of cf.dns.records.list({ zone_id: zone, name: { exact: name } })) mine.push(r);
	check('dns.records.list name.exact', mine.length === 2, JSON.stringify(mine.map((r) => r.type)));
	const onlyA = await cf.dns.records.list({ zone_id: zone, name: { exact: name }, type: 'A' });
	check('dns.records.list name.exact + type', onlyA.result.length === 1 && onlyA.result[0].id === a.id);
	for (let i = 0; i < 12; i++)
		await cf.dns.records.create({ zone_id: zone, type: 'TXT', name: `t${i}.${domain}`, content: `"v${i}"`, ttl: 1 });
	await sim('DELETE', '/stats');
	const txt = [];
	for await (const r of cf.dns.records.list({ zone_id: zone, type: 'TXT', per_page: 5 })) txt.push(r);
	check('dns.records.list auto-pagination over 3 pages', txt.length === 12 && new Set(txt.map((r) => r.id)).size === 12,
	    String(txt.length));
	check('... 4 requests (the last page is empty)',
	    await count('cloudflare', 'GET /zones/{zone_id}/dns_records') === 4,
	    String(await count('cloudflare', 'GET /zones/{zone_id}/dns_records')));
	const put = await cf.dns.records.update(a.id, { zone_id: zone, type: 'A', name, content: '192.0.2.11', ttl: 300 });
	check('dns.records.update (PUT)', put.content === '192.0.2.11' && put.ttl === 300, JSON.stringify(put));
	const patch = await cf.dns.records.edit(a.id, { zone_id: zone, ttl: 1, type: 'A', name, content: '192.0.2.11' });
	check('dns.records.edit (PATCH)', patch.ttl === 1);
	check('dns.records.get', (await cf.dns.records.get(a.id, { zone_id: zone })).content === '192.0.2.11');
	e = await failure(cf.dns.records.create({ zone_id: zone, type: 'A', name, content: '192.0.2.11', ttl: 1 }));
	check('identical record: BadRequestError 81058', e instanceof Cloudflare.BadRequestError && cfCode(e) === 81058,
	    String(e));
	e = await failure(cf.dns.records.create({ zone_id: zone, type: 'A', name: `x.${domain}`, content: '999.1.1.1', ttl: 1 }));
	check('bad IPv4: BadRequestError 9005', e instanceof Cloudflare.BadRequestError && cfCode(e) === 9005, String(e));
	const del = await cf.dns.records.delete(aaaa.id, { zone_id: zone });
	check('dns.records.delete', del.id === aaaa.id);
	e = await failure(cf.dns.records.get(aaaa.id, { zone_id: zone }));
	check('deleted record: NotFoundError 81044', e instanceof Cloudflare.NotFoundError && cfCode(e) === 81044,
	    String(e));
	e = await failure(cf.zones.get({ zone_id: 'f'.repeat(32) }));
	check('another zone: PermissionDeniedError 9109', e instanceof Cloudflare.PermissionDeniedError && cfCode(e) === 9109,
	    String(e));

	// every fault kind, retries off: what the SDK raises
	const kinds = [
		['429', Cloudflare.RateLimitError, 429], ['500', Cloudflare.InternalServerError, 500],
		['502', Cloudflare.InternalServerError, 502], ['503', Cloudflare.InternalServerError, 503],
		['504', Cloudflare.InternalServerError, 504],
	];
	for (const [k, cls, status] of kinds) {
		await fault('cloudflare', 'GET /user/tokens/verify', [k]);
		e = await failure(cf.user.tokens.verify());
		check(`fault ${k}: ${cls.name} ${status}`, e instanceof cls && e.status === status, String(e));
	}
	await fault('cloudflare', 'GET /user/tokens/verify', ['drop']);
	e = await failure(cf.user.tokens.verify());
	check('fault drop: APIConnectionError', e instanceof Cloudflare.APIConnectionError, String(e));
	await fault('cloudflare', 'GET /user/tokens/verify', ['hang'], { hang_seconds: 5 });
	e = await failure(cf.user.tokens.verify({ timeout: 1000 }));
	check('fault hang: APIConnectionTimeoutError at the client timeout',
	    e instanceof Cloudflare.APIConnectionTimeoutError, String(e));
	const tname = `ebc.${domain}`;
	await fault('cloudflare', 'POST /zones/{zone_id}/dns_records', ['error_but_created']);
	e = await failure(cf.dns.records.create({ zone_id: zone, type: 'A', name: tname, content: '192.0.2.20', ttl: 1 }));
	check('fault error_but_created: InternalServerError', e instanceof Cloudflare.InternalServerError, String(e));
	const ebc = await cf.dns.records.list({ zone_id: zone, name: { exact: tname } });
	check('... and the record exists anyway', ebc.result.length === 1);
	await fault('cloudflare', 'POST /zones/{zone_id}/dns_records', ['drop_but_created']);
	e = await failure(cf.dns.records.create({ zone_id: zone, type: 'A', name: `d${tname}`, content: '192.0.2.21', ttl: 1 }));
	check('fault drop_but_created: APIConnectionError', e instanceof Cloudflare.APIConnectionError, String(e));
	check('... and the record exists anyway',
	    (await cf.dns.records.list({ zone_id: zone, name: { exact: `d${tname}` } })).result.length === 1);

	await fault('cloudflare', 'POST /zones/{zone_id}/dns_records', ['hang_but_created'], { hang_seconds: 3 });
	e = await failure(cf.dns.records.create({ zone_id: zone, type: 'A', name: `h${tname}`, content: '192.0.2.22',
	    ttl: 1 }, { timeout: 1000 }));
	check('fault hang_but_created: APIConnectionTimeoutError', e instanceof Cloudflare.APIConnectionTimeoutError,
	    String(e));
	check('... and the record exists anyway',
	    (await cf.dns.records.list({ zone_id: zone, name: { exact: `h${tname}` } })).result.length === 1);

	// with the SDK's own retries (2 by default): 429 and 5xx are retried
	const retrying = new Cloudflare({ apiToken: 'sim-cloudflare-token', baseURL });
	await sim('DELETE', '/stats');
	await fault('cloudflare', 'GET /user/tokens/verify', ['503', '429']);
	const ok = await failure(retrying.user.tokens.verify());
	check('default retries: 503 then 429 then success', ok === null, String(ok));
	check('... three requests', await count('cloudflare', 'GET /user/tokens/verify') === 3,
	    String(await count('cloudflare', 'GET /user/tokens/verify')));
	await sim('DELETE', '/faults');
}

async function resend() {
	process.env.RESEND_BASE_URL = `${base}/resend`;
	const rs = new Resend('re_sim_key');
	const mails = async () => (await sim('GET', '/emails')).emails;
	const before = (await mails()).length;
	const msg = { from: 'OpenClaw Host <hello@och.test>', to: ['owner@example.test'], subject: 'Welcome',
	    html: '<p>hi</p>', text: 'hi' };

	let r = await rs.emails.send(msg, { idempotencyKey: 'welcome/i-1' });
	check('emails.send', r.error === null && typeof r.data?.id === 'string', JSON.stringify(r.error));
	const id = r.data.id;
	const again = await rs.emails.send(msg, { idempotencyKey: 'welcome/i-1' });
	check('same Idempotency-Key, same body: the first answer', again.data?.id === id, JSON.stringify(again));
	check('... and one email', (await mails()).length === before + 1);
	r = await rs.emails.send({ ...msg, subject: 'Other' }, { idempotencyKey: 'welcome/i-1' });
	check('same key, other body: invalid_idempotent_request 409',
	    r.error?.name === 'invalid_idempotent_request' && r.error?.statusCode === 409, JSON.stringify(r.error));
	const got = await rs.emails.get(id);
	check('emails.get', got.data?.id === id && got.data?.subject === 'Welcome' &&
	    got.data?.to?.[0] === 'owner@example.test', JSON.stringify(got));
	check('unset cc, bcc, reply_to are null', got.data && got.data.cc === null && got.data.bcc === null &&
	    got.data.reply_to === null, JSON.stringify(got.data));
	r = await rs.emails.send({ ...msg, cc: 'c@example.test', replyTo: ['r@example.test'] });
	const withCc = await rs.emails.get(r.data.id);
	check('set cc/reply_to come back as arrays', withCc.data?.cc?.[0] === 'c@example.test' &&
	    withCc.data?.reply_to?.[0] === 'r@example.test' && withCc.data?.bcc === null, JSON.stringify(withCc.data));
	r = await rs.batch.send([msg, { ...msg, to: ['b@example.test'] }]);
	check('batch.send: two ids', r.data?.data?.length === 2, JSON.stringify(r));
	r = await rs.emails.send({ from: msg.from, to: msg.to, html: 'x' });
	check('no subject: missing_required_field', r.error?.name === 'missing_required_field', JSON.stringify(r.error));
	r = await rs.emails.send({ ...msg, from: 'not an address' });
	check('bad from: invalid_from_address', r.error?.name === 'invalid_from_address', JSON.stringify(r.error));
	r = await new Resend('re_wrong').emails.send(msg);
	check('wrong key: invalid_api_key', r.error?.name === 'invalid_api_key', JSON.stringify(r.error));
	r = await rs.emails.get('00000000-0000-4000-8000-000000000000');
	check('unknown email: not_found', r.error?.name === 'not_found', JSON.stringify(r.error));

	const kinds = [
		['429', 'rate_limit_exceeded', 429], ['500', 'internal_server_error', 500],
		['502', 'application_error', 502], ['503', 'application_error', 503], ['504', 'application_error', 504],
	];
	for (const [k, name, status] of kinds) {
		await fault('resend', 'POST /emails', [k]);
		r = await rs.emails.send(msg);
		check(`fault ${k}: ${name} ${status}`, r.data === null && r.error?.name === name &&
		    r.error?.statusCode === status, JSON.stringify(r.error));
	}
	await fault('resend', 'POST /emails', ['drop']);
	r = await rs.emails.send(msg);
	check('fault drop: an error, no data', r.data === null && r.error !== null, JSON.stringify(r));
	await fault('resend', 'POST /emails', ['hang'], { hang_seconds: 1 });
	r = await rs.emails.send(msg);
	check('fault hang: 504 when the simulator gives up', r.data === null && r.error?.statusCode === 504,
	    JSON.stringify(r.error));
	const n0 = (await mails()).length;
	await fault('resend', 'POST /emails', ['error_but_created']);
	r = await rs.emails.send({ ...msg, subject: 'ebc' }, { idempotencyKey: 'ebc-1' });
	check('fault error_but_created: an error', r.data === null && r.error?.statusCode === 500, JSON.stringify(r));
	check('... and the email went out', (await mails()).length === n0 + 1);
	r = await rs.emails.send({ ...msg, subject: 'ebc' }, { idempotencyKey: 'ebc-1' });
	check('... the retry with its Idempotency-Key sends no second one',
	    r.error === null && (await mails()).length === n0 + 1, JSON.stringify(r));
	for (const k of ['drop_but_created', 'hang_but_created']) {
		const before = (await mails()).length;
		await fault('resend', 'POST /emails', [k], { hang_seconds: 1 });
		r = await rs.emails.send({ ...msg, subject: k });
		check(`fault ${k}: an error, no data`, r.data === null && r.error !== null, JSON.stringify(r));
		check('... and the email went out', (await mails()).length === before + 1);
	}
	await sim('DELETE', '/faults');
}

try {
	if (which === 'cloudflare') await cloudflare();
	else if (which === 'resend') await resend();
	else throw new Error(`unknown client ${which}`);
} catch (e) {
	check(`${which}: no unexpected exception`, false, String(e?.stack ?? e).replace(/\n/g, ' | '));
}
console.log(`# checks ${n}`);
