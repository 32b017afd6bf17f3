// The Hono + node-postgres baseline for bench/api: GET /api/v1/me with
// the same session check and the same three queries as auth.fcgi
// (cgi-bin/auth.c and lib/auth.c), and GET /api/v1/instances/:id with
// the same session check, instance and events reads and audit record as
// instances.fcgi (cgi-bin/instances.c), one process per worker like
// `auth.fcgi -n N`.  Each statement is its own round trip here.
//   PORT=… WORKERS=… JWT_SECRET=… PGHOST=<socket dir> PGUSER=och PGDATABASE=och node server.mjs
import cluster from 'node:cluster';
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
  // the session cookie's JWT and its sessions row: the claims, or null
  const session = async (c) => {
    const tok = getCookie(c, process.env.SESSION_COOKIE);
    if (!tok) return null;
    let claims;
    try {
      claims = await verify(tok, process.env.JWT_SECRET, 'HS256');
    } catch {
      return null;
    }
    const s = await pool.query(
      'SELECT s.user_id, u.role, s.csrf_hash FROM sessions s JOIN users u ON u.id = s.user_id ' +
      'WHERE s.id = $1::uuid AND s.user_id = $2::bigint AND s.revoked_at IS NULL AND s.expires_at > now()',
      [claims.sid, claims.sub]);
    return s.rowCount === 1 ? claims : null;
  };
  const ts = (col) => ` to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
  app.get('/api/v1/instances/:id', async (c) => {
    const claims = await session(c);
    if (!claims) return c.json(unauth, 401);
    const id = c.req.param('id');
    const i = await pool.query({ rowMode: 'array', text:
      'SELECT i.id, i.slug, i.state, i.desired_state, i.plan, i.region, host(i.ipv4), i.ipv6, i.last_error, ' +
      'i.whmcs_service_id, i.whmcs_client_id, i.hetzner_server_id, i.pending_plan, i.pending_action, i.attempts, ' +
      `i.openclaw_version,${ts('i.created_at')},${ts('i.updated_at')},${ts('i.active_at')}, u.email ` +
      'FROM instances i JOIN users u ON u.id = i.user_id WHERE i.id = $1::uuid ' +
      "AND (i.user_id = $2::bigint OR EXISTS (SELECT 1 FROM users a WHERE a.id = $2::bigint AND a.role = 'admin'))",
      values: [id, claims.sub] });
    const ev = await pool.query(
      "SELECT kind, from_state, to_state, message, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS at " +
      'FROM instance_events WHERE instance_id = $1::uuid ORDER BY id DESC LIMIT 20', [id]);
    const status = i.rowCount === 1 ? 200 : 404;
    await pool.query('INSERT INTO audit_log (actor_kind, actor_id, action, object_kind, object_id, remote_addr, ' +
      "request_id, status, detail) VALUES ('user', $1, 'instance.get', 'instance', $2, $3, NULL, $4, NULL)",
      [claims.sub, id, '127.0.0.1', status]);
    if (status === 404) return c.json({ error: { code: 'not_found', message: 'no such instance' } }, 404);
    const r = i.rows[0];
    return c.json({ id: r[0], slug: r[1], state: r[2], desired_state: r[3], plan: r[4], region: r[5],
      ipv4: r[6], ipv6: r[7], last_error: r[8], whmcs_service_id: r[9], whmcs_client_id: r[10],
      hetzner_server_id: r[11], pending_plan: r[12], pending_action: r[13], attempts: r[14],
      openclaw_version: r[15], created_at: r[16], updated_at: r[17], active_at: r[18], email: r[19],
      events: ev.rows });
  });
  app.get('/api/v1/me', async (c) => {
    const claims = await session(c);
    if (!claims) return c.json(unauth, 401);
    const u = await pool.query('SELECT id, email, role FROM users WHERE id = $1::bigint', [claims.sub]);
    const i = await pool.query(
      "SELECT i.id, i.slug, i.state, i.desired_state, i.plan, i.region, host(i.ipv4), i.ipv6 " +
      "FROM instances i JOIN users u ON u.id = i.user_id WHERE i.user_id = $1::bigint " +
      "AND i.state <> 'terminated' ORDER BY i.created_at", [claims.sub]);
    return c.json({ id: Number(u.rows[0].id), email: u.rows[0].email, role: u.rows[0].role, instances: i.rows });
  });
  serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
}
