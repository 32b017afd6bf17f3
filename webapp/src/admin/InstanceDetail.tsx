// One instance for the operator: state and details, actions (retry,
// suspend, unsuspend, terminate, reboot, rebuild; agent commands restart, doctor
// and update) each behind a confirmation, the agent's last report, pending
// commands, history with actors, the outbox, its audit trail and metrics.
// Polled while the instance moves or commands are pending.
import { Fragment, lazy, type ReactNode, Suspense, useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import { useTranslation } from 'react-i18next'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { API } from '@/lib/api'
import { ago, MOVING, when } from '@/lib/format'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import {
  Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger,
} from '@/components/ui/dialog'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { Confirm, LoadError, Loading, Notice, Section, StateBadge, useAct } from '@/components/common'
import { ADMIN, type Action, type Command } from './api'

const Server = lazy(() => import('@/pages/Usage').then((m) => ({ default: m.Server })))

function Json({ v }: { v: unknown }) {
  if (v == null) return <span className="text-muted-foreground">—</span>
  return <pre className="bg-muted max-h-48 overflow-auto rounded-md p-2 text-xs">{JSON.stringify(v, null, 2)}</pre>
}

export function InstanceDetail() {
  const { t } = useTranslation()
  const id = useParams().id ?? ''
  const key = ['admin', 'instance', id]
  const d = useQuery({
    queryKey: key, queryFn: () => ADMIN.instance(id),
    refetchInterval: (q) => {
      const i = q.state.data
      return i && (MOVING.has(i.state) || i.pending_action || i.pending_commands.length) ? 3000 : false
    },
  })
  const audit = useQuery({ queryKey: ['admin', 'audit', { object_id: id, limit: 20 }], queryFn: () => ADMIN.audit({ object_id: id, limit: 20 }) })
  const inv = [key, ['admin', 'instances'], ['admin', 'queue'], ['admin', 'audit']]
  const act = useAct((a: Action) => ADMIN.action(id, a), { invalidate: inv, ok: (a) => t(`admin.inst.done.${a}`) })
  const reboot = useAct(() => API.reboot(id), { invalidate: inv, ok: t('admin.inst.done.reboot') })
  const cmd = useAct((v: { type: Command; version?: string }) => ADMIN.command(id, v.type, v.version ? { version: v.version } : undefined),
    { invalidate: inv, ok: (v) => t('admin.inst.done.command', { type: v.type }) })
  // open as customer: the browser's session becomes a read-only view
  const qc = useQueryClient()
  const nav = useNavigate()
  const view = useAct(() => ADMIN.view(id), {
    onSuccess: () => {
      qc.clear()
      nav(`/instances/${id}`)
    },
  })
  const [version, setVersion] = useState('')
  const [updateOpen, setUpdateOpen] = useState(false)

  const back = <p><Link to="/admin/instances">{t('admin.inst.back')}</Link></p>
  const i = d.data
  if (!i) return <div>{back}{d.error ? <LoadError error={d.error} retry={() => d.refetch()} /> : <Loading />}</div>

  const active = i.state === 'active' && i.desired_state === 'active'
  const busy = act.busy || cmd.busy || reboot.busy
  const kv: [string, ReactNode][] = [
    ['ID', <span className="font-mono text-xs">{i.id}</span>],
    [t('admin.inst.owner'), <>{i.email ?? '—'} <span className="text-muted-foreground">#{i.user_id}</span></>],
    [t('admin.inst.host'), <a href={i.url} target="_blank" rel="noopener noreferrer">{i.hostname}</a>],
    [t('admin.inst.desired'), i.desired_state],
    [t('admin.instances.plan'), <>{i.plan}{i.pending_plan ? ` → ${i.pending_plan}` : ''}</>],
    [t('admin.instances.region'), i.region],
    ['IPv4 / IPv6', <span className="font-mono text-xs">{i.ipv4 ?? '—'} / {i.ipv6 ?? '—'}</span>],
    [t('admin.instances.version'), i.openclaw_version ?? '—'],
    [t('admin.inst.attempts'), `${i.attempts ?? '—'} · ${t('admin.inst.next')} ${when(i.next_attempt_at)}`],
    [t('admin.inst.lease'), i.locked_by ? `${i.locked_by} → ${when(i.locked_until)}` : '—'],
    [t('admin.inst.failedAt'), i.failed_state ?? '—'],
    [t('admin.inst.lastError'), i.last_error ? <span className="text-destructive font-mono text-xs">{i.last_error}</span> : '—'],
    [t('admin.inst.configRev'), String(i.config_revision)],
    ['DNS', <span className="font-mono text-xs">{i.dns_record_id ?? '—'} / {i.dns_record6_id ?? '—'}</span>],
    [t('admin.instances.created'), when(i.created_at)],
    [t('admin.inst.ready'), when(i.ready_at)],
  ]
  const confirm = (a: Action, disabled: boolean, destructive = true) => (
    <Confirm key={a} trigger={t(`admin.inst.act.${a}`)} title={t(`admin.inst.confirm.${a}.title`, { slug: i.slug })}
      text={t(`admin.inst.confirm.${a}.text`)} action={t(`admin.inst.act.${a}`)} destructive={destructive}
      disabled={busy || disabled} onConfirm={() => act.mutate(a)} testid={`adm-${a}`} />
  )
  const command = (c: Exclude<Command, 'update'>) => (
    <Confirm key={c} trigger={t(`admin.inst.cmd.${c}`)} title={t(`admin.inst.confirm.${c}.title`, { slug: i.slug })}
      text={t(`admin.inst.confirm.${c}.text`)} action={t(`admin.inst.cmd.${c}`)} destructive={false}
      disabled={busy || !active} onConfirm={() => cmd.mutate({ type: c })} testid={`adm-cmd-${c}`} />
  )

  return (
    <div className="flex flex-col gap-4">
      {back}
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="font-mono" data-testid="adm-slug">{i.slug}</h1>
        <div className="flex items-center gap-2">
          <StateBadge state={i.state} className="text-sm" />
          <Confirm trigger={t('admin.inst.asCustomer')} title={t('admin.inst.view.title', { email: i.email ?? '' })}
            text={t('admin.inst.view.text')} action={t('admin.inst.asCustomer')} destructive={false}
            disabled={busy || view.busy || i.user_id == null} onConfirm={() => view.mutate()} testid="adm-view" />
        </div>
      </div>
      <Section title={t('admin.inst.actions')} testid="adm-actions">
        <div className="flex flex-wrap gap-2">
          {confirm('retry', i.state !== 'failed', false)}
          {confirm('suspend', i.desired_state !== 'active')}
          {confirm('unsuspend', i.desired_state !== 'suspended', false)}
          {confirm('terminate', i.desired_state === 'terminated')}
          <Confirm trigger={t('admin.inst.act.reboot')} title={t('admin.inst.confirm.reboot.title', { slug: i.slug })}
            text={t('admin.inst.confirm.reboot.text')} action={t('admin.inst.act.reboot')}
            disabled={busy || i.state !== 'active' || !!i.pending_action} onConfirm={() => reboot.mutate()} testid="adm-reboot" />
          {confirm('rebuild', i.state !== 'active' || !!i.pending_action)}
          {command('restart')}
          {command('doctor_fix')}
          <Dialog open={updateOpen} onOpenChange={setUpdateOpen}>
            <DialogTrigger asChild><Button variant="outline" disabled={busy || !active} data-testid="adm-cmd-update">{t('admin.inst.cmd.update')}</Button></DialogTrigger>
            <DialogContent closeLabel={t('app.close')}>
              <form className="flex flex-col gap-4" onSubmit={(e) => {
                e.preventDefault()
                cmd.mutate({ type: 'update', version: version.trim() })
                setUpdateOpen(false)
              }}>
                <DialogHeader>
                  <DialogTitle>{t('admin.inst.confirm.update.title', { slug: i.slug })}</DialogTitle>
                  <DialogDescription>{t('admin.inst.confirm.update.text')}</DialogDescription>
                </DialogHeader>
                <div className="flex flex-col gap-1.5">
                  <Label htmlFor="adm-update-version">{t('admin.instances.version')}</Label>
                  <Input id="adm-update-version" value={version} onChange={(e) => setVersion(e.target.value)} placeholder="2026.9.6"
                    pattern="[0-9]{4}\.[0-9]{1,2}\.[0-9]{1,3}" required />
                </div>
                <DialogFooter>
                  <DialogClose asChild><Button type="button" variant="outline">{t('app.cancel')}</Button></DialogClose>
                  <Button type="submit" disabled={!/^\d{4}\.\d{1,2}\.\d{1,3}$/.test(version.trim())}>{t('admin.inst.cmd.update')}</Button>
                </DialogFooter>
              </form>
            </DialogContent>
          </Dialog>
        </div>
        <Notice note={act.note ?? cmd.note ?? reboot.note ?? view.note} />
      </Section>
      <div className="grid gap-4 lg:grid-cols-2">
        <Section title={t('admin.inst.details')}>
          <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
            {kv.map(([k, v]) => <Fragment key={k}><dt className="text-muted-foreground">{k}</dt><dd className="min-w-0 break-words">{v}</dd></Fragment>)}
          </dl>
        </Section>
        <Section title={t('admin.inst.report')} testid="adm-report">
          {!i.agent_report ? <p className="text-muted-foreground">{t('admin.inst.noReport')}</p> : (
            <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
              <dt className="text-muted-foreground">{t('admin.inst.reported')}</dt><dd>{when(i.agent_report.reported_at)} ({ago(i.agent_report.reported_at)})</dd>
              <dt className="text-muted-foreground">{t('admin.instances.version')}</dt><dd>{i.agent_report.version ?? '—'}</dd>
              <dt className="text-muted-foreground">{t('admin.inst.configRev')}</dt><dd>{i.agent_report.config_revision ?? '—'} / {i.config_revision}</dd>
              <dt className="text-muted-foreground">{t('admin.inst.configError')}</dt><dd>{i.agent_report.config_error ?? '—'}</dd>
              <dt className="text-muted-foreground">{t('admin.inst.health')}</dt><dd><Json v={i.agent_report.health} /></dd>
              <dt className="text-muted-foreground">{t('admin.inst.channels')}</dt><dd><Json v={i.agent_report.channels} /></dd>
            </dl>
          )}
          <h3>{t('admin.inst.commands')}</h3>
          {i.pending_commands.length === 0 ? <p className="text-muted-foreground text-sm">{t('app.none')}</p> : (
            <ul className="flex flex-col gap-1 text-sm" data-testid="adm-commands">
              {i.pending_commands.map((c) => <li key={c.id}><Badge variant="secondary">{c.status}</Badge> {c.type} · {c.created_by ?? '—'} · {ago(c.created_at)}</li>)}
            </ul>
          )}
        </Section>
      </div>
      <Section title={t('admin.inst.events')}>
        <Table>
          <TableHeader><TableRow><TableHead>{t('admin.audit.at')}</TableHead><TableHead>{t('admin.inst.event')}</TableHead>
            <TableHead>{t('admin.audit.actor')}</TableHead><TableHead>{t('admin.inst.message')}</TableHead></TableRow></TableHeader>
          <TableBody>
            {i.events.map((e) => (
              <TableRow key={e.id}>
                <TableCell className="text-sm" title={when(e.at)}>{ago(e.at)}</TableCell>
                <TableCell>{e.from && e.to ? `${e.from} → ${e.to}` : e.kind}</TableCell>
                <TableCell className="font-mono text-xs">{e.actor ?? '—'}</TableCell>
                <TableCell className="text-sm">{e.message ?? ''}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Section>
      <div className="grid gap-4 lg:grid-cols-2">
        <Section title={t('admin.inst.audit')} actions={<Link to={`/admin/audit?object_id=${i.id}`} className="text-sm">{t('admin.inst.allAudit')}</Link>}>
          <LoadError error={audit.error} />
          <ul className="flex flex-col gap-1 text-sm" data-testid="adm-inst-audit">
            {(audit.data?.entries ?? []).map((a) => (
              <li key={a.id}><span className="text-muted-foreground">{ago(a.at)}</span> <span className="font-mono text-xs">{a.action}</span> · {a.actor_kind}:{a.actor_id ?? '—'} · {a.status ?? ''}</li>
            ))}
          </ul>
        </Section>
        <Section title={t('admin.inst.outbox')}>
          <ul className="flex flex-col gap-1 text-sm">
            {i.outbox.email.map((m) => <li key={`m${m.id}`}><Badge variant={m.status === 'failed' ? 'destructive' : 'secondary'}>{m.status}</Badge> {t('admin.inst.mail')} {m.template} → {m.to} · {ago(m.created_at)}{m.last_error ? ` · ${m.last_error}` : ''}</li>)}
            {i.outbox.webhook.map((w) => <li key={`w${w.id}`}><Badge variant={w.status === 'failed' ? 'destructive' : 'secondary'}>{w.status}</Badge> WHMCS {w.command} · {ago(w.created_at)}{w.last_error ? ` · ${w.last_error}` : ''}</li>)}
            {i.outbox.email.length + i.outbox.webhook.length === 0 && <li className="text-muted-foreground">{t('app.none')}</li>}
          </ul>
        </Section>
      </div>
      <Suspense fallback={<Loading />}><Server id={i.id} /></Suspense>
    </div>
  )
}
