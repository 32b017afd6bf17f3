// The live provisioning queue (what each poller holds, next attempt, last
// error, attempts), failed instances with retry, outbox backlogs and poller
// heartbeats; refreshed every 5 s.
import { Link } from 'react-router'
import { useTranslation } from 'react-i18next'
import { useQuery } from '@tanstack/react-query'
import { ago, seconds, when } from '@/lib/format'
import { Badge } from '@/components/ui/badge'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { Confirm, LoadError, Loading, Notice, Section, StateBadge, useAct } from '@/components/common'
import { ADMIN } from './api'

export function useQueue() {
  return useQuery({ queryKey: ['admin', 'queue'], queryFn: ADMIN.queue, refetchInterval: 5000 })
}

export function Provisioning() {
  const { t } = useTranslation()
  const q = useQueue()
  const retry = useAct((v: { id: string; slug: string }) => ADMIN.action(v.id, 'retry'),
    { invalidate: [['admin']], ok: (v) => t('admin.prov.retried', { slug: v.slug }) })
  if (q.isPending) return <Loading />
  if (!q.data) return <LoadError error={q.error} retry={() => q.refetch()} />
  const d = q.data
  return (
    <div className="flex flex-col gap-4">
      <h1>{t('admin.provisioning.title')}</h1>
      <LoadError error={q.error} />
      <Section title={t('admin.prov.queue', { count: d.queue.length })} testid="adm-queue">
        {d.queue.length === 0 ? <p className="text-muted-foreground">{t('admin.prov.empty')}</p> : (
          <Table>
            <TableHeader><TableRow><TableHead>{t('admin.instances.slug')}</TableHead><TableHead>{t('admin.prov.step')}</TableHead>
              <TableHead>{t('admin.inst.attempts')}</TableHead><TableHead>{t('admin.inst.next')}</TableHead><TableHead>{t('admin.prov.heldBy')}</TableHead>
              <TableHead>{t('admin.inst.lastError')}</TableHead></TableRow></TableHeader>
            <TableBody>
              {d.queue.map((r) => (
                <TableRow key={r.id}>
                  <TableCell><Link to={`/admin/instances/${r.id}`} className="font-mono">{r.slug}</Link></TableCell>
                  <TableCell><StateBadge state={r.state} /> → {r.pending_action ?? (r.pending_plan ? `plan ${r.pending_plan}` : r.desired_state)}</TableCell>
                  <TableCell>{r.attempts}</TableCell>
                  <TableCell title={when(r.next_attempt_at)}>{r.due ? <Badge variant="info">{t('admin.prov.due')}</Badge> : ago(r.next_attempt_at) || when(r.next_attempt_at)}</TableCell>
                  <TableCell className="font-mono text-xs">{r.locked_by ? `${r.locked_by} (${when(r.locked_until)})` : '—'}</TableCell>
                  <TableCell className="text-destructive max-w-72 truncate font-mono text-xs" title={r.last_error ?? ''}>{r.last_error ?? ''}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>
      <Section title={t('admin.prov.failed', { count: d.failed.length })} testid="adm-failed">
        <Notice note={retry.note} />
        {d.failed.length === 0 ? <p className="text-muted-foreground">{t('admin.prov.noFailed')}</p> : (
          <Table>
            <TableHeader><TableRow><TableHead>{t('admin.instances.slug')}</TableHead><TableHead>{t('admin.inst.failedAt')}</TableHead>
              <TableHead>{t('admin.inst.attempts')}</TableHead><TableHead>{t('admin.inst.lastError')}</TableHead><TableHead><span className="sr-only">{t('admin.inst.act.retry')}</span></TableHead></TableRow></TableHeader>
            <TableBody>
              {d.failed.map((r) => (
                <TableRow key={r.id}>
                  <TableCell><Link to={`/admin/instances/${r.id}`} className="font-mono">{r.slug}</Link></TableCell>
                  <TableCell>{r.failed_state ?? '—'}{r.cleanup ? <Badge variant="warning" className="ml-1">{t('admin.prov.cleanup')}</Badge> : null}</TableCell>
                  <TableCell>{r.attempts}</TableCell>
                  <TableCell className="text-destructive max-w-96 truncate font-mono text-xs" title={r.last_error ?? ''}>{r.last_error ?? ''}</TableCell>
                  <TableCell className="text-right">
                    <Confirm trigger={t('admin.inst.act.retry')} title={t('admin.inst.confirm.retry.title', { slug: r.slug })}
                      text={t('admin.inst.confirm.retry.text')} action={t('admin.inst.act.retry')} destructive={false}
                      disabled={retry.busy || r.cleanup} onConfirm={() => retry.mutate({ id: r.id, slug: r.slug })} testid={`retry-${r.slug}`} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>
      <div className="grid gap-4 md:grid-cols-2">
        <Section title={t('admin.prov.outbox')}>
          <Table>
            <TableHeader><TableRow><TableHead /><TableHead>{t('admin.prov.pending')}</TableHead><TableHead>{t('admin.prov.dueCol')}</TableHead>
              <TableHead>{t('admin.prov.failedCol')}</TableHead><TableHead>{t('admin.prov.oldest')}</TableHead></TableRow></TableHeader>
            <TableBody>
              {(['email', 'webhook'] as const).map((k) => (
                <TableRow key={k}><TableCell>{t(`admin.prov.${k}`)}</TableCell><TableCell>{d.outbox[k].pending}</TableCell>
                  <TableCell>{d.outbox[k].due}</TableCell><TableCell>{d.outbox[k].failed}</TableCell>
                  <TableCell>{seconds(d.outbox[k].oldest_pending_age_s)}</TableCell></TableRow>
              ))}
            </TableBody>
          </Table>
        </Section>
        <Section title={t('admin.prov.pollers')}>
          {d.pollers.length === 0 ? <p className="text-destructive">{t('admin.prov.noPollers')}</p> : (
            <ul className="flex flex-col gap-1 text-sm">
              {d.pollers.map((p) => (
                <li key={`${p.mode}${p.host}${p.pid}`}>
                  <Badge variant={p.age_s > 120 ? 'destructive' : 'success'}>{p.mode}</Badge> {p.host} · pid {p.pid} · {t('admin.prov.beat', { age: seconds(p.age_s) })}
                </li>
              ))}
            </ul>
          )}
        </Section>
      </div>
    </div>
  )
}
