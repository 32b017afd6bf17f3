// The Hono + node-postgres baseline for bench/api: GET /api/v1/me with
// the same session check and the same three queries as auth.fcgi
// (cgi-bin/auth.c and lib/auth.c), one process per worker like
// `auth.fcgi -n N`.
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
  app.get('/api/v1/me', async (c) => {
    const tok = getCookie(c, process.env.SESSION_COOKIE);
    if (!tok) return c.json({ error: { code: 'unauthorized', message: 'authentication required' } }, 401);
    let claims;
    try {
      claims = await verify(tok, process.env.JWT_SECRET, 'HS256');
    } catch {
      return c.json({ error: { code: 'unauthorized', message: 'authentication required' } }, 401);
    }
    const s = await pool.query(
      'SELECT s.user_id, u.role, s.csrf_hash FROM sessions s JOIN users u ON u.id = s.user_id ' +
      'WHERE s.id = $1::uuid AND s.user_id = $2::bigint AND s.revoked_at IS NULL AND s.expires_at > now()',
      [claims.sid, claims.sub]);
    if (s.rowCount !== 1) return c.json({ error: { code: 'unauthorized', message: 'authentication required' } }, 401);
    const u = await pool.query('SELECT id, email, role FROM users WHERE id = $1::bigint', [claims.sub]);
    const i = await pool.query(
      "SELECT i.id, i.slug, i.state, i.desired_state, i.plan, i.region, host(i.ipv4), i.ipv6 " +
      "FROM instances i JOIN users u ON u.id = i.user_id WHERE i.user_id = $1::bigint " +
      "AND i.state <> 'terminated' ORDER BY i.created_at", [claims.sub]);
    return c.json({ id: Number(u.rows[0].id), email: u.rows[0].email, role: u.rows[0].role, instances: i.rows });
  });
  serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
}
