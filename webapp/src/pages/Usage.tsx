// Server metrics (GET …/metrics: series of {t, v} per whitelisted name)
// and AI usage (GET …/ai-usage: rows per day, provider and model, with
// totals).  A 404 or 503 (the metrics service not deployed or down) says
// "not available yet" instead of an error.
import { useState } from 'react'
import { API, ApiError, MetricPoint } from '../api'
import { bytes, errText } from '../util'
import { Section, useLoad } from './parts'

const SERIES = ['cpu_util', 'load1', 'mem_total', 'mem_available', 'disk_total', 'disk_free', 'net_rx_bytes', 'net_tx_bytes']

function unavailable(e: Error | null) {
  return e instanceof ApiError && (e.status === 404 || e.status === 501 || e.status === 503)
}

const last = (p?: MetricPoint[]) => (p && p.length ? p[p.length - 1].v : undefined)

/** Combine two series point by point (same timestamps). */
function join(a: MetricPoint[] = [], b: MetricPoint[] = [], f: (x: number, y: number) => number | null): MetricPoint[] {
  const m = new Map(b.map((p) => [p.t, p.v]))
  const out: MetricPoint[] = []
  for (const p of a) {
    const y = m.get(p.t)
    if (y === undefined) continue
    const v = f(p.v, y)
    if (v !== null && isFinite(v)) out.push({ t: p.t, v })
  }
  return out
}

/** Per-second rate of a counter (resets skipped). */
function rate(p: MetricPoint[] = []): MetricPoint[] {
  const out: MetricPoint[] = []
  for (let i = 1; i < p.length; i++) {
    const dt = p[i].t - p[i - 1].t
    const dv = p[i].v - p[i - 1].v
    if (dt > 0 && dv >= 0) out.push({ t: p[i].t, v: dv / dt })
  }
  return out
}

function Spark({ points, max }: { points: MetricPoint[]; max?: number }) {
  if (points.length < 2) return <div className="spark empty muted small">not enough data</div>
  const t0 = points[0].t
  const t1 = points[points.length - 1].t
  const hi = max ?? Math.max(...points.map((p) => p.v), 1e-9)
  const w = 300
  const h = 60
  const xy = points.map((p) => `${(((p.t - t0) / (t1 - t0 || 1)) * w).toFixed(1)},${(h - (Math.min(p.v, hi) / hi) * (h - 4) - 2).toFixed(1)}`)
  return (
    <svg className="spark" viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" role="img" aria-label="chart">
      <polygon points={`0,${h} ${xy.join(' ')} ${w},${h}`} className="area" />
      <polyline points={xy.join(' ')} className="line" />
    </svg>
  )
}

function Chart({ title, value, points, max }: { title: string; value: string; points: MetricPoint[]; max?: number }) {
  return (
    <div className="tile chart">
      <div className="row between"><span className="muted small">{title}</span><span className="big">{value}</span></div>
      <Spark points={points} max={max} />
    </div>
  )
}

function Server({ id }: { id: string }) {
  const [range, setRange] = useState('24h')
  const m = useLoad(() => API.metrics(id, range, SERIES), [id, range])
  const s = m.data?.series ?? {}
  const memPct = join(s.mem_total, s.mem_available, (t, a) => (t > 0 ? ((t - a) / t) * 100 : null))
  const diskPct = join(s.disk_total, s.disk_free, (t, f) => (t > 0 ? ((t - f) / t) * 100 : null))
  const rx = rate(s.net_rx_bytes)
  const tx = rate(s.net_tx_bytes)
  const pct = (v?: number) => (v === undefined ? '—' : `${v.toFixed(0)} %`)
  const memUsed = last(s.mem_total) !== undefined && last(s.mem_available) !== undefined
    ? `${bytes(last(s.mem_total)! - last(s.mem_available)!)} of ${bytes(last(s.mem_total))}` : undefined
  const diskUsed = last(s.disk_total) !== undefined && last(s.disk_free) !== undefined
    ? `${bytes(last(s.disk_total)! - last(s.disk_free)!)} of ${bytes(last(s.disk_total))}` : undefined
  const empty = Object.values(s).every((p) => !p || p.length === 0)

  let body
  if (m.loading && !m.data) body = <p className="muted">Loading…</p>
  else if (unavailable(m.error)) body = <p className="muted" data-testid="usage-unavailable">Server metrics are not available yet.</p>
  else if (m.error) body = <p className="alert error" role="alert">{errText(m.error)}</p>
  else if (empty) body = <p className="muted">No measurements yet; they start a few minutes after the instance is running.</p>
  else body = (
    <div className="charts" data-testid="metrics">
      <Chart title="CPU" value={pct(last(s.cpu_util))} points={s.cpu_util ?? []} max={100} />
      <Chart title="Memory" value={pct(last(memPct))} points={memPct} max={100} />
      <Chart title="Disk" value={pct(last(diskPct))} points={diskPct} max={100} />
      <Chart title="Load (1 min)" value={last(s.load1)?.toFixed(2) ?? '—'} points={s.load1 ?? []} />
      <Chart title="Network in" value={last(rx) !== undefined ? `${bytes(last(rx))}/s` : '—'} points={rx} />
      <Chart title="Network out" value={last(tx) !== undefined ? `${bytes(last(tx))}/s` : '—'} points={tx} />
      {(memUsed || diskUsed) && (
        <p className="muted small span">{memUsed ? `Memory ${memUsed}` : ''}{memUsed && diskUsed ? ' · ' : ''}{diskUsed ? `Disk ${diskUsed}` : ''}
          {m.data?.resolution === 'hour' ? ' · hourly averages' : ''}</p>
      )}
    </div>
  )
  return (
    <Section title="Server" actions={
      <select value={range} onChange={(e) => setRange(e.target.value)} aria-label="Range">
        <option value="1h">Last hour</option><option value="6h">Last 6 hours</option>
        <option value="24h">Last 24 hours</option><option value="7d">Last 7 days</option>
        <option value="30d">Last 30 days</option>
      </select>}>
      {body}
    </Section>
  )
}

const usd = (v: number) => `$${v.toFixed(v > 0 && v < 1 ? 4 : 2)}`
const num = (v: number) => v.toLocaleString()

function AiUsage({ id }: { id: string }) {
  const [days, setDays] = useState(30)
  const u = useLoad(() => API.aiUsage(id, days), [id, days])
  const rows = u.data?.usage ?? []
  const byModel = new Map<string, { provider: string; model: string; in: number; out: number; cost: number }>()
  const byDay = new Map<string, { in: number; out: number; cost: number }>()
  for (const r of rows) {
    const k = `${r.provider}/${r.model}`
    const a = byModel.get(k) ?? { provider: r.provider, model: r.model, in: 0, out: 0, cost: 0 }
    a.in += r.input_tokens; a.out += r.output_tokens; a.cost += r.cost_usd
    byModel.set(k, a)
    const d = byDay.get(r.day) ?? { in: 0, out: 0, cost: 0 }
    d.in += r.input_tokens; d.out += r.output_tokens; d.cost += r.cost_usd
    byDay.set(r.day, d)
  }
  const maxCost = Math.max(...Array.from(byDay.values()).map((d) => d.cost), 1e-9)
  const tot = u.data?.totals

  let body
  if (u.loading && !u.data) body = <p className="muted">Loading…</p>
  else if (unavailable(u.error)) body = <p className="muted">AI usage figures are not available yet.</p>
  else if (u.error) body = <p className="alert error" role="alert">{errText(u.error)}</p>
  else if (rows.length === 0) body = <p className="muted">No AI usage reported in this period.</p>
  else body = (
    <div data-testid="ai-usage">
      {tot && (
        <div className="tiles">
          <div className="tile"><div className="muted small">Input tokens</div><div className="big">{num(tot.input_tokens)}</div></div>
          <div className="tile"><div className="muted small">Output tokens</div><div className="big">{num(tot.output_tokens)}</div></div>
          <div className="tile"><div className="muted small">Estimated cost</div><div className="big">{usd(tot.cost_usd)}</div></div>
        </div>
      )}
      <h3>By model</h3>
      <table className="table">
        <thead><tr><th>Provider</th><th>Model</th><th className="right">Input</th><th className="right">Output</th><th className="right">Cost</th></tr></thead>
        <tbody>
          {Array.from(byModel.values()).sort((a, b) => b.cost - a.cost).map((a) => (
            <tr key={`${a.provider}/${a.model}`}><td>{a.provider}</td><td className="mono small">{a.model}</td>
              <td className="right">{num(a.in)}</td><td className="right">{num(a.out)}</td><td className="right">{usd(a.cost)}</td></tr>
          ))}
        </tbody>
      </table>
      <h3>By day</h3>
      <table className="table">
        <thead><tr><th>Day</th><th className="right">Tokens</th><th className="right">Cost</th><th className="bar-col" /></tr></thead>
        <tbody>
          {Array.from(byDay.entries()).map(([day, d]) => (
            <tr key={day}><td>{day}</td><td className="right">{num(d.in + d.out)}</td><td className="right">{usd(d.cost)}</td>
              <td className="bar-col"><div className="bar" style={{ width: `${(d.cost / maxCost) * 100}%` }} /></td></tr>
          ))}
        </tbody>
      </table>
    </div>
  )
  return (
    <Section title="AI usage" actions={
      <select value={days} onChange={(e) => setDays(Number(e.target.value))} aria-label="Period">
        <option value={7}>Last 7 days</option><option value={30}>Last 30 days</option><option value={90}>Last 90 days</option>
      </select>}>
      <p className="muted small">Estimates reported by your OpenClaw gateway from its model prices; your provider's bill is authoritative.</p>
      {body}
    </Section>
  )
}

export function Usage({ id }: { id: string }) {
  return (
    <>
      <Server id={id} />
      <AiUsage id={id} />
    </>
  )
}
