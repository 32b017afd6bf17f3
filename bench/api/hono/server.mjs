// The Hono + node-postgres baseline for bench/api: GET /api/v1/me and
// GET /api/v1/instances/:id with the same statements as auth.fcgi and
// instances.fcgi, taken by bench/api/run.pl from the built binaries
// (ME_SQL, GET_SQL): one statement each, prepared once per connection
// (a named statement) — the session check with the user and their
// instances; the check with the instance, its events and its audit
// record — the same JWT check before, and one process per worker like
// `auth.fcgi -n N`.
//   PORT=… WORKERS=… JWT_SECRET=… SESSION_COOKIE=… ME_SQL=… GET_SQL=… PGHOST=<socket dir> PGUSER=och PGDATABASE=och node server.mjs
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { verify } from 'hono/jwt';
import pg from 'pg';

const workers = Number(process.env.WORKERS || 1);
if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  const pool = new pg.Pool({ max: 4 });
  const app = new Hono();
  const unauth = { error: { code: 'unauthorized', message: 'authentication required' } };
  const IDLE = '1800';	// lib/auth.h AUTH_ADMIN_IDLE
  const LIVE = 5;	// the session check's columns (ENT_SESSION_LIVE_NCOLS)
  // the session cookie's JWT: its claims, or null
  const claims = async (c) => {
    const tok = getCookie(c, process.env.SESSION_COOKIE);
    if (!tok) return null;
    try {
      return await verify(tok, process.env.JWT_SECRET, 'HS256');
    } catch {
      return null;
    }
  };
  const num = (v) => (v === null ? null : Number(v));
  // INST_COLS (lib/inst.h) from column k on, as inst_json() renders them
  const inst = (r, k) => ({ id: r[k], slug: r[k + 1], state: r[k + 2], desired_state: r[k + 3],
    plan: r[k + 4], region: r[k + 5], ipv4: r[k + 6], ipv6: r[k + 7], last_error: r[k + 8],
    whmcs_service_id: num(r[k + 9]), whmcs_client_id: num(r[k + 10]), hetzner_server_id: num(r[k + 11]),
    pending_plan: r[k + 12], pending_action: r[k + 13], attempts: num(r[k + 14]),
    openclaw_version: r[k + 15], created_at: r[k + 16], updated_at: r[k + 17], active_at: r[k + 18],
    email: r[k + 19] });
  app.get('/api/v1/instances/:id', async (c) => {
    const cl = await claims(c);
    if (!cl) return c.json(unauth, 401);
    const res = await pool.query({ name: 'get', rowMode: 'array', text: process.env.GET_SQL,
      values: [cl.sid, cl.sub, IDLE, c.req.param('id'), 'instance.get', 'instance', '127.0.0.1',
        randomBytes(16).toString('hex')] });
    if (res.rowCount === 0) return c.json(unauth, 401);
    const r0 = res.rows[0];
    if (r0[LIVE] === null) return c.json({ error: { code: 'not_found', message: 'no such instance' } }, 404);
    const ev = LIVE + 20;
    const o = inst(r0, LIVE);
    o.events = res.rows.filter((r) => r[ev] !== null).map((r) => ({ kind: r[ev], from: r[ev + 1],
      to: r[ev + 2], message: r[ev + 3], at: r[ev + 4] }));
    return c.json(o);
  });
  app.get('/api/v1/me', async (c) => {
    const cl = await claims(c);
    if (!cl) return c.json(unauth, 401);
    const res = await pool.query({ name: 'me', rowMode: 'array', text: process.env.ME_SQL,
      values: [cl.sid, cl.sub, IDLE] });
    if (res.rowCount === 0) return c.json(unauth, 401);
    const r0 = res.rows[0];
    return c.json({ id: Number(r0[0]), email: r0[LIVE], role: r0[1],
      instances: res.rows.filter((r) => r[LIVE + 2] !== null).map((r) => inst(r, LIVE + 2)),
      view: r0[4] === null ? null : { admin_email: r0[LIVE + 1] ?? '' } });
  });
  serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
}
