// The warm pool (GET/PUT /api/v1/admin/pool): per (plan, region) how many
// booted servers wait for an order, what they boot, what is warming, being
// discarded and was claimed in the last day; the two caps (most servers,
// most spend per month) beside what the pool spends now.  The caps and
// targets are edited in one form and saved in one PUT (audited);
// refreshed every 5 s.
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useQuery } from '@tanstack/react-query'
import { API } from '@/lib/api'
import { eur } from '@/lib/format'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { NativeSelect } from '@/components/ui/native-select'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { LoadError, Loading, Notice, Section, useAct } from '@/components/common'
import { ADMIN, ADMIN2, type AdminPool } from './api'

const CAPS = ['max_servers', 'max_monthly_cents', 'max_age_hours'] as const
type Caps = Record<(typeof CAPS)[number], string>
const key = (plan: string, region: string) => `${plan}/${region}`

function Tile({ label, value, testid, warn }: { label: string; value: string; testid: string; warn?: boolean }) {
  return (
    <div className="rounded-lg border p-3">
      <div className="text-muted-foreground text-sm">{label}</div>
      <div className={warn ? 'text-destructive text-2xl font-semibold' : 'text-2xl font-semibold'} data-testid={testid}>{value}</div>
    </div>
  )
}

type Save = { mutate: (body: object) => void; busy: boolean }

function PoolForm({ pool, save }: { pool: AdminPool; save: Save }) {
  const { t } = useTranslation()
  const plans = useQuery({ queryKey: ['admin', 'plans'], queryFn: ADMIN.plans })
  const regions = useQuery({ queryKey: ['regions'], queryFn: API.regions })
  const [caps, setCaps] = useState<Caps>(() =>
    Object.fromEntries(CAPS.map((k) => [k, String(pool[k])])) as Caps)
  const [targets, setTargets] = useState<Record<string, string>>(() =>
    Object.fromEntries(pool.targets.map((x) => [key(x.plan, x.region), String(x.target)])))
  const [add, setAdd] = useState({ plan: '', region: '', target: '1', monthly_cents: '' })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const body: Record<string, unknown> = Object.fromEntries(CAPS.map((k) => [k, Number(caps[k])]))
    const ts: Record<string, unknown>[] = pool.targets
      .filter((x) => targets[key(x.plan, x.region)] !== String(x.target))
      .map((x) => ({ plan: x.plan, region: x.region, target: Number(targets[key(x.plan, x.region)]) }))
    if (add.plan && add.region) {
      ts.push({ plan: add.plan, region: add.region, target: Number(add.target),
        ...(add.monthly_cents !== '' ? { monthly_cents: Number(add.monthly_cents) } : {}) })
    }
    if (ts.length) body.targets = ts
    save.mutate(body)
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" data-testid="pool-form">
      <Section title={t('admin.pool.caps')} testid="pool-caps">
        <p className="text-muted-foreground text-sm">{t('admin.pool.capsHint')}</p>
        <div className="grid gap-3 sm:grid-cols-3">
          {CAPS.map((k) => (
            <div key={k} className="flex flex-col gap-1.5">
              <Label htmlFor={`pool-${k}`}>{t(`admin.pool.f.${k}`)}</Label>
              <Input id={`pool-${k}`} type="number" min={0} required value={caps[k]}
                onChange={(e) => setCaps({ ...caps, [k]: e.target.value })} />
            </div>
          ))}
        </div>
      </Section>
      <Section title={t('admin.pool.targets')} testid="pool-targets">
        {pool.targets.length === 0 ? <p className="text-muted-foreground">{t('admin.pool.none')}</p> : (
          <Table>
            <TableHeader><TableRow><TableHead>{t('admin.pool.where')}</TableHead><TableHead>{t('admin.plans.f.image')}</TableHead>
              <TableHead>{t('admin.pool.f.target')}</TableHead><TableHead>{t('admin.pool.warming')}</TableHead>
              <TableHead>{t('admin.pool.ready')}</TableHead><TableHead>{t('admin.pool.discarding')}</TableHead>
              <TableHead>{t('admin.pool.claimed')}</TableHead><TableHead>{t('admin.pool.perServer')}</TableHead></TableRow></TableHeader>
            <TableBody>
              {pool.targets.map((x) => {
                const k = key(x.plan, x.region)
                return (
                  <TableRow key={k} data-testid={`pool-${x.plan}-${x.region}`}>
                    <TableCell><span className="font-mono">{x.plan}</span> · {x.region}
                      {x.capped && <Badge variant="warning" className="ml-1">{t('admin.pool.capped')}</Badge>}</TableCell>
                    <TableCell className="font-mono text-xs">{x.image ?? '—'}</TableCell>
                    <TableCell>
                      <Input type="number" min={0} max={100} required className="w-20" value={targets[k] ?? ''}
                        aria-label={t('admin.pool.targetOf', { plan: x.plan, region: x.region })}
                        onChange={(e) => setTargets({ ...targets, [k]: e.target.value })} />
                    </TableCell>
                    <TableCell>{x.warming}</TableCell>
                    <TableCell data-testid="pool-ready">{x.ready}</TableCell>
                    <TableCell>{x.discarding}</TableCell>
                    <TableCell>{x.claimed_last_day}</TableCell>
                    <TableCell>{eur(x.monthly_cents)}</TableCell>
                  </TableRow>
                )
              })}
            </TableBody>
          </Table>
        )}
        <fieldset className="grid items-end gap-3 sm:grid-cols-4">
          <legend className="mb-2 text-sm font-medium">{t('admin.pool.add')}</legend>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="pool-add-plan">{t('admin.pool.f.plan')}</Label>
            <NativeSelect id="pool-add-plan" value={add.plan} onChange={(e) => setAdd({ ...add, plan: e.target.value })}>
              <option value="">—</option>
              {(plans.data?.plans ?? []).filter((p) => p.active).map((p) => <option key={p.name} value={p.name}>{p.name}</option>)}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="pool-add-region">{t('admin.pool.f.region')}</Label>
            <NativeSelect id="pool-add-region" value={add.region} onChange={(e) => setAdd({ ...add, region: e.target.value })}>
              <option value="">—</option>
              {(regions.data?.regions ?? []).map((r) => <option key={r.name} value={r.name}>{r.name}</option>)}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="pool-add-target">{t('admin.pool.f.target')}</Label>
            <Input id="pool-add-target" type="number" min={0} max={100} value={add.target}
              onChange={(e) => setAdd({ ...add, target: e.target.value })} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="pool-add-cents">{t('admin.pool.f.monthly_cents')}</Label>
            <Input id="pool-add-cents" type="number" min={0} value={add.monthly_cents}
              onChange={(e) => setAdd({ ...add, monthly_cents: e.target.value })} />
          </div>
        </fieldset>
      </Section>
      <div><Button type="submit" disabled={save.busy} data-testid="pool-save">{t('app.save')}</Button></div>
    </form>
  )
}

export function Pool() {
  const { t } = useTranslation()
  const q = useQuery({ queryKey: ['admin', 'pool'], queryFn: ADMIN2.pool, refetchInterval: 5000 })
  const save = useAct((body: object) => ADMIN2.putPool(body), { invalidate: [['admin', 'pool']], ok: t('admin.pool.saved') })
  if (q.isPending) return <Loading />
  if (!q.data) return <LoadError error={q.error} retry={() => q.refetch()} />
  const d = q.data
  return (
    <div className="flex flex-col gap-4">
      <h1>{t('admin.pool.title')}</h1>
      <LoadError error={q.error} />
      <div className="grid gap-3 sm:grid-cols-3">
        <Tile label={t('admin.pool.servers')} value={`${d.servers} / ${d.max_servers}`} testid="pool-servers"
          warn={d.servers >= d.max_servers} />
        <Tile label={t('admin.pool.spend')} value={`${eur(d.monthly_cents)} / ${eur(d.max_monthly_cents)}`} testid="pool-spend"
          warn={d.monthly_cents >= d.max_monthly_cents} />
        <Tile label={t('admin.pool.claimedDay')} value={String(d.claimed_last_day)} testid="pool-claimed" />
      </div>
      <Notice note={save.note} />
      {/* the form starts from what was saved; a save remounts it */}
      <PoolForm key={JSON.stringify([CAPS.map((k) => d[k]), d.targets.map((x) => [x.plan, x.region, x.target])])}
        pool={d} save={save} />
    </div>
  )
}
