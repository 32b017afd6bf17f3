// Plans (every field the API takes, created and edited in a dialog;
// inactive plans are no longer sold), the server types they use, and the
// regions (from GET /api/v1/regions).
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useQuery } from '@tanstack/react-query'
import { API } from '@/lib/api'
import { eur } from '@/lib/format'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { LoadError, Loading, Notice, Section, useAct } from '@/components/common'
import { ADMIN, type AdminPlan } from './api'

const TEXT = ['display_name', 'server_type', 'image', 'openclaw_version'] as const
const INTS = ['vcpus', 'memory_mb', 'disk_gb', 'max_channels', 'max_skills', 'backup_slots', 'price_cents', 'sort'] as const

function PlanDialog({ plan, open, onOpenChange }: { plan: AdminPlan | null; open: boolean; onOpenChange: (o: boolean) => void }) {
  const { t } = useTranslation()
  const isNew = !plan
  const init = () => ({
    name: plan?.name ?? '',
    ...Object.fromEntries(TEXT.map((k) => [k, plan?.[k] ?? ''])),
    ...Object.fromEntries(INTS.map((k) => [k, plan ? String(plan[k]) : ''])),
  }) as Record<string, string>
  const [v, setV] = useState<Record<string, string>>(init)
  const [active, setActive] = useState(plan?.active ?? true)
  const save = useAct((body: Partial<AdminPlan>) => ADMIN.putPlan(v.name.trim(), body), {
    invalidate: [['admin', 'plans']], ok: t('admin.plans.saved', { name: v.name }), onSuccess: () => onOpenChange(false),
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const body: Record<string, unknown> = { active }
    for (const k of TEXT) if (v[k] !== '' || (!isNew && (plan?.[k] ?? '') !== '')) body[k] = v[k].trim()
    for (const k of INTS) if (v[k] !== '') body[k] = Number(v[k])
    if (isNew && body.image === '') delete body.image
    save.mutate(body as Partial<AdminPlan>)
  }
  const field = (k: string, type: 'text' | 'number') => (
    <div key={k} className="flex flex-col gap-1.5">
      <Label htmlFor={`plan-${k}`}>{t(`admin.plans.f.${k}`)}</Label>
      <Input id={`plan-${k}`} type={type} value={v[k] ?? ''} onChange={(e) => setV({ ...v, [k]: e.target.value })}
        required={isNew && k !== 'image' && k !== 'openclaw_version' && k !== 'sort' && k !== 'backup_slots'} />
    </div>
  )
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={t('app.close')} className="sm:max-w-2xl">
        <form onSubmit={submit} className="flex flex-col gap-4" data-testid="plan-form">
          <DialogHeader>
            <DialogTitle>{isNew ? t('admin.plans.new') : t('admin.plans.edit', { name: plan.name })}</DialogTitle>
            <DialogDescription>{t('admin.plans.hint')}</DialogDescription>
          </DialogHeader>
          <div className="grid gap-3 sm:grid-cols-3">
            {isNew && field('name', 'text')}
            {TEXT.map((k) => field(k, 'text'))}
            {INTS.map((k) => field(k, 'number'))}
            <div className="flex items-center gap-2 self-end pb-2">
              <Checkbox id="plan-active" checked={active} onCheckedChange={(c) => setActive(c === true)} />
              <Label htmlFor="plan-active">{t('admin.plans.f.active')}</Label>
            </div>
          </div>
          <Notice note={save.note} />
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>{t('app.cancel')}</Button>
            <Button type="submit" disabled={save.busy}>{t('app.save')}</Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}

export function Catalogue() {
  const { t } = useTranslation()
  const plans = useQuery({ queryKey: ['admin', 'plans'], queryFn: ADMIN.plans })
  const regions = useQuery({ queryKey: ['regions'], queryFn: API.regions })
  const [edit, setEdit] = useState<{ plan: AdminPlan | null } | null>(null)
  const list = plans.data?.plans ?? []
  const types = new Map<string, string[]>()
  for (const p of list) types.set(p.server_type, [...(types.get(p.server_type) ?? []), p.name])
  return (
    <div className="flex flex-col gap-4">
      <h1>{t('admin.plans.title')}</h1>
      <LoadError error={plans.error} retry={() => plans.refetch()} />
      <Section title={t('admin.plans.plans')} testid="adm-plans"
        actions={<Button onClick={() => setEdit({ plan: null })} data-testid="plan-new">{t('admin.plans.new')}</Button>}>
        {plans.isPending ? <Loading /> : (
          <Table>
            <TableHeader><TableRow><TableHead>{t('admin.plans.f.name')}</TableHead><TableHead>{t('admin.plans.f.server_type')}</TableHead>
              <TableHead>{t('admin.plans.size')}</TableHead><TableHead>{t('admin.plans.limits')}</TableHead><TableHead>{t('admin.plans.f.price_cents')}</TableHead>
              <TableHead>{t('admin.plans.f.openclaw_version')}</TableHead><TableHead>{t('admin.plans.instances')}</TableHead><TableHead><span className="sr-only">{t('channels.edit')}</span></TableHead></TableRow></TableHeader>
            <TableBody>
              {list.map((p) => (
                <TableRow key={p.name} data-testid={`plan-${p.name}`}>
                  <TableCell><strong>{p.display_name}</strong> <span className="text-muted-foreground font-mono text-xs">{p.name}</span>
                    {!p.active && <Badge variant="outline" className="ml-1">{t('admin.plans.inactive')}</Badge>}</TableCell>
                  <TableCell className="font-mono text-xs">{p.server_type}{p.image ? ` · ${p.image}` : ''}</TableCell>
                  <TableCell className="text-sm">{p.vcpus} vCPU · {p.memory_mb / 1024} GB · {p.disk_gb} GB</TableCell>
                  <TableCell className="text-sm">{t('admin.plans.limitText', { c: p.max_channels, s: p.max_skills, b: p.backup_slots })}</TableCell>
                  <TableCell>{eur(p.price_cents)}</TableCell>
                  <TableCell className="font-mono text-xs">{p.openclaw_version ?? '—'}</TableCell>
                  <TableCell>{p.instances}</TableCell>
                  <TableCell className="text-right"><Button variant="outline" size="sm" onClick={() => setEdit({ plan: p })}
                    aria-label={t('admin.plans.edit', { name: p.name })}>{t('channels.edit')}</Button></TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>
      <div className="grid gap-4 md:grid-cols-2">
        <Section title={t('admin.plans.serverTypes')}>
          <ul className="flex flex-col gap-1 text-sm">
            {Array.from(types.entries()).map(([st, ps]) => <li key={st}><span className="font-mono">{st}</span> — {ps.join(', ')}</li>)}
          </ul>
        </Section>
        <Section title={t('admin.plans.regions')} testid="adm-regions">
          <LoadError error={regions.error} />
          <ul className="flex flex-col gap-1 text-sm">
            {(regions.data?.regions ?? []).map((r) => <li key={r.name}><span className="font-mono">{r.name}</span> — {r.display_name} <span className="text-muted-foreground">({r.location})</span></li>)}
          </ul>
        </Section>
      </div>
      {edit && <PlanDialog key={edit.plan?.name ?? '+'} plan={edit.plan} open onOpenChange={(o) => { if (!o) setEdit(null) }} />}
    </div>
  )
}
