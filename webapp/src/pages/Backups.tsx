// Backups of the instance: the list (the OpenClaw state stored off the
// server, and Hetzner snapshots of the whole disk), "back up now" (a
// command the agent runs; its progress shows under "Requested"), "take
// snapshot" when the plan includes snapshots, and a restore per available
// backup behind a confirmation (RestoreDialog).  What restores came to is
// shown from the agent's commands and the instance's events; the lists
// are polled while something is under way.
import { useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { API, type Instance } from '@/lib/api'
import { bytes, when } from '@/lib/format'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { LoadError, Notice, Section, useAct } from '@/components/common'
import { Events } from './InstancePage'
import { RestoreDialog } from './RestoreDialog'

const BUSY = new Set(['queued', 'running', 'creating', 'uploading'])
const VARIANT: Record<string, 'success' | 'destructive' | 'secondary'> = {
  available: 'success', done: 'success', failed: 'destructive', expired: 'destructive',
}
// the instance's events that tell how a restore went
const RESTORE_EVENT = /^(backup_restore|snapshot_restore)\./

export function Backups({ i }: { i: Instance }) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const id = i.id
  const active = i.state === 'active'
  const list = useQuery({
    queryKey: ['backups', id], queryFn: () => API.backups(id),
    refetchInterval: (q) => {
      const d = q.state.data
      return d && [...d.agent_backups, ...d.restores, ...d.backups].some((b) => BUSY.has(b.status)) ? 3000 : false
    },
  })
  const create = useAct(() => API.createBackup(id), { ok: t('backups.requested'), invalidate: [['backups', id]] })
  const snapshot = useAct(() => API.snapshot(id), { ok: t('backups.snapshotRequested'), invalidate: [['backups', id]] })
  const restore = useAct((v: { backup: number; confirm: string }) => API.restoreBackup(id, v.backup, v.confirm), {
    ok: (v, r) => r.rebuild ? t('backups.rebuildRequested', { id: v.backup }) : t('backups.restoreRequested', { id: v.backup }),
    invalidate: [['backups', id], ['instance', id]],
  })
  const backups = list.data?.backups ?? []
  const restores = list.data?.restores ?? []
  const pending = (list.data?.agent_backups ?? []).filter((b) => b.status !== 'done')
  const restoring = restores.some((r) => BUSY.has(r.status))
  // a restore that ended changes the instance's events: fetch them again
  const ended = restores.filter((r) => !BUSY.has(r.status)).length
  useEffect(() => { void qc.invalidateQueries({ queryKey: ['instance', id] }) }, [ended, id, qc])
  const events = (i.events ?? []).filter((e) => RESTORE_EVENT.test(e.kind) || e.to === 'rebuilding' || e.from === 'rebuilding')
  const why = !active ? t('backups.onlyActive') : restoring ? t('backups.restoring') : undefined

  return (
    <Section title={t('backups.title')} testid="backups" actions={
      <div className="flex flex-wrap gap-2">
        {(list.data?.snapshot_slots ?? 0) > 0 && (
          <Button variant="outline" onClick={() => snapshot.mutate()} disabled={snapshot.busy || !active}
            title={active ? undefined : t('backups.onlyActive')}>{t('backups.snapshot')}</Button>)}
        <Button onClick={() => create.mutate()} disabled={create.busy || !active} title={active ? undefined : t('backups.onlyActive')}>
          {t('backups.now')}</Button>
      </div>}>
      <LoadError error={list.error} retry={() => list.refetch()} />
      <Notice note={create.note} />
      <Notice note={snapshot.note} />
      <Notice note={restore.note} />
      {i.state === 'rebuilding' && <p role="status" className="text-sm">{t('backups.rebuilding')}</p>}
      {backups.length === 0 && !list.isPending ? <p className="text-muted-foreground">{t('backups.empty')}</p> : (
        <Table>
          <TableHeader><TableRow><TableHead>{t('backups.made')}</TableHead><TableHead>{t('backups.kind')}</TableHead>
            <TableHead>{t('backups.name')}</TableHead><TableHead>{t('backups.size')}</TableHead><TableHead>{t('backups.status')}</TableHead>
            <TableHead><span className="sr-only">{t('backups.actions')}</span></TableHead></TableRow></TableHeader>
          <TableBody>
            {backups.map((b) => (
              <TableRow key={b.id} data-testid={`backup-${b.id}`}>
                <TableCell>{when(b.created_at)}</TableCell>
                <TableCell>{t(`backups.kinds.${b.kind}`, { defaultValue: b.kind })}</TableCell>
                <TableCell className="font-mono text-xs">{b.name ?? '—'}</TableCell><TableCell>{bytes(b.size_bytes)}</TableCell>
                <TableCell><Badge variant={VARIANT[b.status] ?? 'secondary'}>{b.status}</Badge></TableCell>
                <TableCell>
                  {b.status === 'available' && (
                    <RestoreDialog backup={b} hostname={i.hostname} why={why}
                      disabled={restore.busy || !!why || (b.kind === 'snapshot' && !!i.pending_action)}
                      onConfirm={(confirm) => restore.mutate({ backup: b.id, confirm })} />)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {pending.length > 0 && (
        <>
          <h3>{t('backups.pending')}</h3>
          <ul className="flex flex-col gap-1 text-sm">
            {pending.map((b) => (
              <li key={b.command_id}>{when(b.created_at)} — <Badge variant="secondary">
                {BUSY.has(b.status) ? `${b.status}…` : b.status}</Badge></li>
            ))}
          </ul>
        </>
      )}
      {restores.length > 0 && (
        <>
          <h3>{t('backups.restores')}</h3>
          <ul className="flex flex-col gap-1 text-sm" data-testid="restores">
            {restores.map((r) => (
              <li key={r.command_id} data-testid={`restore-of-${r.backup_id}`} data-status={r.status}>
                {when(r.created_at)} — {t('backups.restoreOf', { id: r.backup_id })} <Badge variant={VARIANT[r.status] ?? 'secondary'}>
                  {t(`backups.restoreStatus.${r.status}`, { defaultValue: r.status })}</Badge>
                {r.error ? <span className="text-muted-foreground"> {r.error}</span> : null}
              </li>
            ))}
          </ul>
        </>
      )}
      {events.length > 0 && (
        <>
          <h3>{t('backups.history')}</h3>
          <Events events={events} />
        </>
      )}
    </Section>
  )
}
