// Server metrics and AI usage, when the metrics routes are deployed: a
// 404 or 503 says "not available yet" instead of an error.  The shapes are
// read defensively (current values as tiles, daily rows as a table).
import { useState } from 'react'
import { API, ApiError } from '../api'
import { errText } from '../util'
import { Section, useLoad } from './parts'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v)

function unavailable(e: Error | null) {
  return e instanceof ApiError && (e.status === 404 || e.status === 503 || e.status === 501)
}

function fmt(k: string, v: unknown): string {
  if (typeof v === 'number') {
    if (/cost|usd/i.test(k)) return `$${v.toFixed(v < 1 ? 4 : 2)}`
    if (/percent|_pct/i.test(k)) return `${v.toFixed(1)} %`
    return Number.isInteger(v) ? v.toLocaleString() : v.toFixed(2)
  }
  if (v == null) return '—'
  return String(v)
}
const title = (k: string) => k.replace(/_/g, ' ').replace(/\b(usd|ram|cpu)\b/gi, (m) => m.toUpperCase())

/** Scalars of an object (and of its `current`/`totals` member) as tiles. */
function Tiles({ o }: { o: Obj }) {
  const src: Obj = { ...(isObj(o.totals) ? o.totals : {}), ...(isObj(o.current) ? o.current : {}) }
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number') src[k] = v
  const entries = Object.entries(src).filter(([, v]) => typeof v === 'number' || typeof v === 'string')
  if (!entries.length) return null
  return (
    <div className="tiles">
      {entries.slice(0, 12).map(([k, v]) => (
        <div key={k} className="tile"><div className="muted small">{title(k)}</div><div className="big">{fmt(k, v)}</div></div>
      ))}
    </div>
  )
}

/** The first array of row objects found (daily, by_model, …) as a table. */
function Rows({ o }: { o: Obj }) {
  const tables = Object.entries(o).filter(([, v]) => Array.isArray(v) && v.length > 0 && v.every(isObj)) as [string, Obj[]][]
  if (!tables.length) return null
  return (
    <>
      {tables.slice(0, 3).map(([name, rows]) => {
        const cols = Array.from(new Set(rows.flatMap((r) => Object.keys(r).filter((k) => !isObj(r[k]) && !Array.isArray(r[k])))))
        return (
          <div key={name}>
            <h3>{title(name)}</h3>
            <div className="scroll">
              <table className="table">
                <thead><tr>{cols.map((c) => <th key={c}>{title(c)}</th>)}</tr></thead>
                <tbody>
                  {rows.slice(0, 60).map((r, i) => (
                    <tr key={i}>{cols.map((c) => <td key={c}>{fmt(c, r[c])}</td>)}</tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        )
      })}
    </>
  )
}

function Panel({ what, load }: { what: string; load: { data: unknown; error: Error | null; loading: boolean } }) {
  if (load.loading && load.data === undefined) return <p className="muted">Loading…</p>
  if (unavailable(load.error)) return <p className="muted" data-testid="usage-unavailable">{what} are not available yet.</p>
  if (load.error) return <p className="alert error" role="alert">{errText(load.error)}</p>
  if (!isObj(load.data)) return <p className="muted">No data yet.</p>
  const tiles = <Tiles o={load.data} />
  const rows = <Rows o={load.data} />
  return <>{tiles}{rows}</>
}

export function Usage({ id }: { id: string }) {
  const [period, setPeriod] = useState('24h')
  const metrics = useLoad(() => API.metrics(id, period), [id, period])
  const ai = useLoad(() => API.aiUsage(id, '30d'), [id])
  return (
    <>
      <Section title="Server" actions={
        <select value={period} onChange={(e) => setPeriod(e.target.value)} aria-label="Period">
          <option value="1h">Last hour</option><option value="24h">Last 24 hours</option>
          <option value="7d">Last 7 days</option><option value="30d">Last 30 days</option>
        </select>}>
        <Panel what="Server metrics" load={metrics} />
      </Section>
      <Section title="AI usage (last 30 days)">
        <p className="muted small">Estimates reported by your OpenClaw gateway from its model prices; your provider's bill is authoritative.</p>
        <Panel what="AI usage figures" load={ai} />
      </Section>
    </>
  )
}
