// One time series as a Recharts area chart: hover shows the time and the
// value (formatted by `fmt`); the x axis is time (unix seconds).
import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { useTranslation } from 'react-i18next'

export interface Point { t: number; v: number }

export function TimeSeries({ points, fmt, max, label, color = 'var(--chart-1)', height = 140, testid }: {
  points: Point[]; fmt: (v: number) => string; max?: number; label: string; color?: string; height?: number; testid?: string
}) {
  const { t, i18n } = useTranslation()
  if (points.length < 2) return <div className="text-muted-foreground flex h-24 items-center justify-center text-sm">{t('usage.notEnough')}</div>
  const span = points[points.length - 1].t - points[0].t
  const tick = (s: number) => new Date(s * 1000).toLocaleString(i18n.language,
    span > 172800 ? { month: 'short', day: 'numeric' } : { hour: '2-digit', minute: '2-digit' })
  const gid = `g-${label.replace(/[^a-z0-9]/gi, '')}`
  return (
    <div role="img" aria-label={t('usage.chart', { title: label })} data-testid={testid} style={{ height }}>
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={points} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
          <defs>
            <linearGradient id={gid} x1="0" y1="0" x2="0" y2="1">
              <stop offset="5%" stopColor={color} stopOpacity={0.35} />
              <stop offset="95%" stopColor={color} stopOpacity={0.02} />
            </linearGradient>
          </defs>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
          <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} tickFormatter={tick} minTickGap={40}
            tick={{ fontSize: 11, fill: 'var(--muted-foreground)' }} stroke="var(--border)" />
          <YAxis width={56} domain={[0, max ?? 'auto']} tickFormatter={fmt} tick={{ fontSize: 11, fill: 'var(--muted-foreground)' }} stroke="var(--border)" />
          <Tooltip
            {...tooltipStyle}
            labelFormatter={(s) => new Date(Number(s) * 1000).toLocaleString(i18n.language, { dateStyle: 'medium', timeStyle: 'short' })}
            formatter={(v) => [fmt(Number(v)), label]} />
          <Area type="monotone" dataKey="v" stroke={color} strokeWidth={2} fill={`url(#${gid})`} isAnimationActive={false} />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  )
}

/** Recharts tooltip colours from the theme (its default item colour, the series', is too faint on the popover). */
export const tooltipStyle = {
  contentStyle: { background: 'var(--popover)', border: '1px solid var(--border)', borderRadius: 8, color: 'var(--popover-foreground)', fontSize: 12 },
  itemStyle: { color: 'var(--popover-foreground)' },
  labelStyle: { color: 'var(--popover-foreground)' },
}
