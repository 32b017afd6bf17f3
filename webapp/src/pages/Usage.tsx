// Server metrics (GET …/metrics: series of {t, v} per whitelisted name)
// as Recharts time series with ranges, and AI usage (GET …/ai-usage: rows
// per day, provider and model, with totals).  A 404, 501 or 503 (the
// metrics service not deployed or down) says "not available yet" instead
// of an error.  Loaded on demand: Recharts is not in the initial bundle.
import { type ReactNode, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { API, ApiError, type MetricPoint } from '@/lib/api'
import { bytes, errText, num, usd } from '@/lib/format'
import { NativeSelect } from '@/components/ui/native-select'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { Loading, Section } from '@/components/common'
import { TimeSeries, tooltipStyle } from '@/components/TimeSeries'

const SERIES = ['cpu_util', 'load1', 'mem_total', 'mem_available', 'disk_total', 'disk_free', 'net_rx_bytes', 'net_tx_bytes']
const RANGES = ['1h', '6h', '24h', '7d', '30d'] as const

function unavailable(e: unknown) {
  return e instanceof ApiError && (e.status === 404 || e.status === 501 || e.status === 503)
}

const last = (p?: MetricPoint[]) => (p && p.length ? p[p.length - 1].v : undefined)

/** Combine two series point by point (same timestamps). */
export function join(a: MetricPoint[] = [], b: MetricPoint[] = [], f: (x: number, y: number) => number | null): MetricPoint[] {
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
export function rate(p: MetricPoint[] = []): MetricPoint[] {
  const out: MetricPoint[] = []
  for (let i = 1; i < p.length; i++) {
    const dt = p[i].t - p[i - 1].t
    const dv = p[i].v - p[i - 1].v
    if (dt > 0 && dv >= 0) out.push({ t: p[i].t, v: dv / dt })
  }
  return out
}

function Tile({ title, value, children }: { title: string; value: string; children: ReactNode }) {
  return (
    <div className="rounded-lg border p-3">
      <div className="mb-1 flex items-baseline justify-between"><span className="text-muted-foreground text-sm">{title}</span>
        <span className="text-lg font-semibold">{value}</span></div>
      {children}
    </div>
  )
}

export function Server({ id }: { id: string }) {
  const { t } = useTranslation()
  const [range, setRange] = useState<(typeof RANGES)[number]>('24h')
  const m = useQuery({
    queryKey: ['metrics', id, range], queryFn: () => API.metrics(id, range, SERIES),
    placeholderData: keepPreviousData, refetchInterval: 60_000,
    retry: (n, e) => !unavailable(e) && !(e instanceof ApiError && e.status < 500) && n < 2,
  })
  const s = m.data?.series ?? {}
  const memPct = join(s.mem_total, s.mem_available, (tt, a) => (tt > 0 ? ((tt - a) / tt) * 100 : null))
  const diskPct = join(s.disk_total, s.disk_free, (tt, f) => (tt > 0 ? ((tt - f) / tt) * 100 : null))
  const rx = rate(s.net_rx_bytes)
  const tx = rate(s.net_tx_bytes)
  const pct = (v?: number) => (v === undefined ? '—' : `${v.toFixed(0)} %`)
  const rateFmt = (v: number) => `${bytes(v)}/s`
  const used = (tot?: number, free?: number) => tot !== undefined && free !== undefined ? { used: bytes(tot - free), total: bytes(tot) } : undefined
  const mem = used(last(s.mem_total), last(s.mem_available))
  const disk = used(last(s.disk_total), last(s.disk_free))
  const empty = Object.values(s).every((p) => !p || p.length === 0)

  let body
  if (m.isPending) body = <Loading />
  else if (unavailable(m.error)) body = <p className="text-muted-foreground" data-testid="usage-unavailable">{t('usage.unavailable')}</p>
  else if (m.error) body = <p className="text-destructive" role="alert">{errText(m.error)}</p>
  else if (empty) body = <p className="text-muted-foreground">{t('usage.noData')}</p>
  else body = (
    <div className="grid gap-3 md:grid-cols-2" data-testid="metrics">
      <Tile title={t('usage.cpu')} value={pct(last(s.cpu_util))}><TimeSeries label={t('usage.cpu')} points={s.cpu_util ?? []} max={100} fmt={(v) => `${v.toFixed(0)} %`} testid="chart-cpu" /></Tile>
      <Tile title={t('usage.memory')} value={pct(last(memPct))}><TimeSeries label={t('usage.memory')} points={memPct} max={100} fmt={(v) => `${v.toFixed(0)} %`} color="var(--chart-2)" /></Tile>
      <Tile title={t('usage.disk')} value={pct(last(diskPct))}><TimeSeries label={t('usage.disk')} points={diskPct} max={100} fmt={(v) => `${v.toFixed(0)} %`} color="var(--chart-3)" /></Tile>
      <Tile title={t('usage.load')} value={last(s.load1)?.toFixed(2) ?? '—'}><TimeSeries label={t('usage.load')} points={s.load1 ?? []} fmt={(v) => v.toFixed(2)} /></Tile>
      <Tile title={t('usage.netIn')} value={last(rx) !== undefined ? rateFmt(last(rx)!) : '—'}><TimeSeries label={t('usage.netIn')} points={rx} fmt={rateFmt} color="var(--chart-2)" /></Tile>
      <Tile title={t('usage.netOut')} value={last(tx) !== undefined ? rateFmt(last(tx)!) : '—'}><TimeSeries label={t('usage.netOut')} points={tx} fmt={rateFmt} color="var(--chart-4)" /></Tile>
      {(mem || disk) && (
        <p className="text-muted-foreground text-sm md:col-span-2">
          {[mem && t('usage.memUsed', mem), disk && t('usage.diskUsed', disk), m.data?.resolution === 'hour' && t('usage.hourly')].filter(Boolean).join(' · ')}
        </p>
      )}
    </div>
  )
  return (
    <Section title={t('usage.server')} actions={
      <NativeSelect value={range} onChange={(e) => setRange(e.target.value as typeof range)} aria-label={t('usage.range')} data-testid="range">
        {RANGES.map((r) => <option key={r} value={r}>{t(`usage.ranges.${r}`)}</option>)}
      </NativeSelect>}>
      {body}
    </Section>
  )
}

function AiUsage({ id }: { id: string }) {
  const { t, i18n } = useTranslation()
  const [days, setDays] = useState<7 | 30 | 90>(30)
  const u = useQuery({
    queryKey: ['ai-usage', id, days], queryFn: () => API.aiUsage(id, days), placeholderData: keepPreviousData,
    retry: (n, e) => !unavailable(e) && !(e instanceof ApiError && e.status < 500) && n < 2,
  })
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
  const daily = Array.from(byDay.entries()).sort(([a], [b]) => a.localeCompare(b)).map(([day, d]) => ({ day, ...d }))
  const tot = u.data?.totals

  let body
  if (u.isPending) body = <Loading />
  else if (unavailable(u.error)) body = <p className="text-muted-foreground">{t('usage.aiUnavailable')}</p>
  else if (u.error) body = <p className="text-destructive" role="alert">{errText(u.error)}</p>
  else if (rows.length === 0) body = <p className="text-muted-foreground">{t('usage.aiNone')}</p>
  else body = (
    <div data-testid="ai-usage" className="flex flex-col gap-3">
      {tot && (
        <div className="grid gap-3 sm:grid-cols-3">
          {([[t('usage.input'), num(tot.input_tokens)], [t('usage.output'), num(tot.output_tokens)], [t('usage.cost'), usd(tot.cost_usd)]] as const).map(([l, v]) => (
            <div key={l} className="rounded-lg border p-3"><div className="text-muted-foreground text-sm">{l}</div><div className="text-xl font-semibold">{v}</div></div>
          ))}
        </div>
      )}
      <h3>{t('usage.byDay')}</h3>
      <div role="img" aria-label={t('usage.chart', { title: t('usage.costCol') })} style={{ height: 160 }}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={daily}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
            <XAxis dataKey="day" tickFormatter={(d: string) => new Date(d).toLocaleDateString(i18n.language, { month: 'short', day: 'numeric' })}
              tick={{ fontSize: 11, fill: 'var(--muted-foreground)' }} stroke="var(--border)" />
            <YAxis width={56} tickFormatter={(v: number) => usd(v)} tick={{ fontSize: 11, fill: 'var(--muted-foreground)' }} stroke="var(--border)" />
            <Tooltip {...tooltipStyle}
              formatter={(v, name) => [name === 'cost' ? usd(Number(v)) : num(Number(v)), name === 'cost' ? t('usage.costCol') : t('usage.tokens')]} />
            <Bar dataKey="cost" fill="var(--chart-1)" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <h3>{t('usage.byModel')}</h3>
      <Table>
        <TableHeader><TableRow><TableHead>{t('usage.provider')}</TableHead><TableHead>{t('usage.model')}</TableHead>
          <TableHead className="text-right">{t('usage.in')}</TableHead><TableHead className="text-right">{t('usage.out')}</TableHead>
          <TableHead className="text-right">{t('usage.costCol')}</TableHead></TableRow></TableHeader>
        <TableBody>
          {Array.from(byModel.values()).sort((a, b) => b.cost - a.cost).map((a) => (
            <TableRow key={`${a.provider}/${a.model}`}><TableCell>{a.provider}</TableCell><TableCell className="font-mono text-xs">{a.model}</TableCell>
              <TableCell className="text-right">{num(a.in)}</TableCell><TableCell className="text-right">{num(a.out)}</TableCell>
              <TableCell className="text-right">{usd(a.cost)}</TableCell></TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  )
  return (
    <Section title={t('usage.ai')} actions={
      <NativeSelect value={days} onChange={(e) => setDays(Number(e.target.value) as typeof days)} aria-label={t('usage.period')}>
        {([7, 30, 90] as const).map((d) => <option key={d} value={d}>{t(`usage.days.${d}`)}</option>)}
      </NativeSelect>}>
      <p className="text-muted-foreground text-sm">{t('usage.aiNote')}</p>
      {body}
    </Section>
  )
}

export default function Usage({ id }: { id: string }) {
  return (
    <>
      <Server id={id} />
      <AiUsage id={id} />
    </>
  )
}
