// The fleet at a glance: instances by state and region, failed and stuck
// ones, the provisioning queue's depth and age, outbox backlogs, poller
// heartbeats, WHMCS drift, Hetzner's request budget left; orders and
// failures per day over 30 days.
import { Link } from 'react-router'
import { useTranslation } from 'react-i18next'
import { useQuery } from '@tanstack/react-query'
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { ago, seconds } from '@/lib/format'
import { Badge } from '@/components/ui/badge'
import { LoadError, Loading, Section, StateBadge } from '@/components/common'
import { ADMIN2, type HetznerBudget } from './api'
import { useQueue } from './Provisioning'
import { useDrift } from './WhmcsSync'
import { cn } from '@/lib/utils'
import { tooltipStyle } from '@/components/TimeSeries'

function Tile({ label, value, to, bad, testid }: { label: string; value: string | number; to?: string; bad?: boolean; testid?: string }) {
  const body = (
    <>
      <div className="text-muted-foreground text-sm">{label}</div>
      <div className={cn('text-2xl font-semibold', bad && 'text-destructive')} data-testid={testid}>{value}</div>
    </>
  )
  const cls = 'bg-card text-card-foreground rounded-xl border p-4 shadow-sm'
  return to ? <Link to={to} className={cn(cls, 'hover:border-primary block hover:no-underline')}>{body}</Link> : <div className={cls}>{body}</div>
}

function Counts({ title, data, link, state }: { title: string; data: Record<string, number>; link: (k: string) => string; state?: boolean }) {
  const rows = Object.entries(data).sort((a, b) => b[1] - a[1])
  return (
    <Section title={title}>
      <ul className="flex flex-col gap-1 text-sm">
        {rows.map(([k, n]) => (
          <li key={k} className="flex items-center justify-between gap-2">
            <Link to={link(k)}>{state ? <StateBadge state={k} /> : <span className="font-mono">{k || '—'}</span>}</Link><span>{n}</span>
          </li>
        ))}
      </ul>
    </Section>
  )
}

// Hetzner's hourly request budget: what is left, red under 10 % (the
// poller paces itself then, so provisioning slows), and when it is full.
function BudgetTile({ b }: { b: HetznerBudget | null }) {
  const { t } = useTranslation()
  if (!b || b.remaining == null) return <Tile label={t('admin.dash.budget')} value="—" testid="tile-budget" />
  const low = b.limit != null && b.limit > 0 && b.remaining < b.limit * 0.1
  return (
    <div className="bg-card text-card-foreground rounded-xl border p-4 shadow-sm">
      <div className="text-muted-foreground text-sm">{t('admin.dash.budget')}</div>
      <div className={cn('text-2xl font-semibold', low && 'text-destructive')} data-testid="tile-budget">
        {b.remaining}{b.limit != null ? ` / ${b.limit}` : ''}
      </div>
      <div className="text-muted-foreground text-xs" data-testid="tile-budget-reset">
        {t('admin.dash.budgetReset', { in: seconds(b.reset_in_seconds), seen: ago(b.seen_at) })}
      </div>
    </div>
  )
}

export function Dashboard() {
  const { t, i18n } = useTranslation()
  const stats = useQuery({ queryKey: ['admin', 'stats'], queryFn: ADMIN2.stats, refetchInterval: 15_000 })
  const queue = useQueue()
  const drift = useDrift()
  const alerts = useQuery({ queryKey: ['admin', 'alerts', 'open'], queryFn: ADMIN2.openAlerts, refetchInterval: 30_000 })
  const s = stats.data
  const qd = queue.data
  const oldestDue = qd?.queue.filter((r) => r.due).reduce<number | null>((m, r) => {
    const age = (Date.now() - new Date(r.next_attempt_at).getTime()) / 1000
    return m === null || age > m ? age : m
  }, null)
  const staleBeat = (qd?.pollers ?? []).some((p) => p.age_s > 120) || (qd && qd.pollers.length === 0)
  return (
    <div className="flex flex-col gap-4">
      <h1>{t('admin.dashboard.title')}</h1>
      <LoadError error={stats.error ?? queue.error ?? drift.error} retry={() => { stats.refetch(); queue.refetch(); drift.refetch() }} />
      {!s || !qd ? <Loading /> : (
        <>
          <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" data-testid="adm-tiles">
            <Tile label={t('admin.dash.instances')} value={s.total - (s.by_state.terminated ?? 0)} to="/admin/instances" testid="tile-instances" />
            <Tile label={t('admin.dash.active')} value={s.by_state.active ?? 0} to="/admin/instances?state=active" />
            <Tile label={t('admin.dash.failed')} value={s.by_state.failed ?? 0} bad={(s.by_state.failed ?? 0) > 0} to="/admin/provisioning" testid="tile-failed" />
            <Tile label={t('admin.dash.stuck')} value={s.stuck} bad={s.stuck > 0} to="/admin/provisioning" testid="tile-stuck" />
            <Tile label={t('admin.dash.queue')} value={qd.queue.length} to="/admin/provisioning" testid="tile-queue" />
            <Tile label={t('admin.dash.oldestDue')} value={seconds(oldestDue)} bad={(oldestDue ?? 0) > 300} to="/admin/provisioning" />
            <Tile label={t('admin.dash.outbox')} value={`${qd.outbox.email.pending + qd.outbox.webhook.pending} / ${qd.outbox.email.failed + qd.outbox.webhook.failed}`}
              bad={qd.outbox.email.failed + qd.outbox.webhook.failed > 0} to="/admin/provisioning" testid="tile-outbox" />
            <BudgetTile b={s.hetzner_budget} />
            <Tile label={t('admin.dash.drift')} value={drift.data?.drift.length ?? '—'} bad={(drift.data?.drift.length ?? 0) > 0} to="/admin/whmcs" testid="tile-drift" />
          </div>
          <Section title={t('admin.dash.alerts', { count: alerts.data?.alerts.length ?? 0 })} testid="adm-alerts">
            {alerts.isError ? <p className="text-muted-foreground text-sm">{t('admin.dash.alertsUnavailable')}</p>
              : (alerts.data?.alerts.length ?? 0) === 0 ? <p className="text-muted-foreground text-sm">{t('admin.dash.noAlerts')}</p> : (
                <ul className="flex flex-col gap-1 text-sm">
                  {alerts.data!.alerts.slice(0, 10).map((a) => (
                    <li key={a.id}><Badge variant={a.severity === 'critical' ? 'destructive' : 'warning'}>{a.severity}</Badge>{' '}
                      {a.instance_id ? <Link to={`/admin/instances/${a.instance_id}`} className="underline">{a.title}</Link> : a.title}
                      <span className="text-muted-foreground"> · {a.hostname ?? a.subject ?? ''} · {ago(a.opened_at)}</span></li>
                  ))}
                </ul>
              )}
          </Section>
          <Section title={t('admin.dash.pollers')}>
            {qd.pollers.length === 0 ? <p className="text-destructive">{t('admin.prov.noPollers')}</p> : (
              <div className="flex flex-wrap gap-2 text-sm">
                {qd.pollers.map((p) => <Badge key={`${p.mode}${p.host}${p.pid}`} variant={p.age_s > 120 ? 'destructive' : 'success'}>
                  {p.mode} · {p.host} · {t('admin.prov.beat', { age: seconds(p.age_s) })}</Badge>)}
              </div>
            )}
            {staleBeat && qd.pollers.length > 0 && <p className="text-destructive text-sm">{t('admin.dash.staleBeat')}</p>}
          </Section>
          <Section title={t('admin.dash.daily')}>
            <div role="img" aria-label={t('admin.dash.daily')} style={{ height: 220 }} data-testid="adm-daily">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={s.daily}>
                  <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
                  <XAxis dataKey="day" tickFormatter={(d: string) => new Date(d).toLocaleDateString(i18n.language, { month: 'short', day: 'numeric' })}
                    tick={{ fontSize: 11, fill: 'var(--muted-foreground)' }} stroke="var(--border)" minTickGap={20} />
                  <YAxis allowDecimals={false} width={40} tick={{ fontSize: 11, fill: 'var(--muted-foreground)' }} stroke="var(--border)" />
                  <Tooltip {...tooltipStyle} />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  <Bar dataKey="orders" name={t('admin.dash.orders')} fill="var(--chart-1)" isAnimationActive={false} />
                  <Bar dataKey="failures" name={t('admin.dash.failures')} fill="var(--chart-4)" isAnimationActive={false} />
                  <Bar dataKey="terminations" name={t('admin.dash.terminations')} fill="var(--chart-3)" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </div>
          </Section>
          <div className="grid gap-4 md:grid-cols-2 lg:grid-cols-4">
            <Counts title={t('admin.dash.byState')} data={s.by_state} link={(k) => `/admin/instances?state=${k}`} state />
            <Counts title={t('admin.dash.byRegion')} data={s.by_region} link={(k) => `/admin/instances?region=${k}`} />
            <Counts title={t('admin.dash.byPlan')} data={s.by_plan} link={(k) => `/admin/instances?plan=${k}`} />
            <Counts title={t('admin.dash.byVersion')} data={s.by_version} link={(k) => `/admin/instances?version=${encodeURIComponent(k)}`} />
          </div>
        </>
      )}
    </div>
  )
}
