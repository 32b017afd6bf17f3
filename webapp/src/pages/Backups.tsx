// Backups of the instance's OpenClaw state: the list, and "back up now"
// (a command the agent runs; its progress shows under "Requested", polled
// while one is queued or running).
import { useTranslation } from 'react-i18next'
import { useQuery } from '@tanstack/react-query'
import { API } from '@/lib/api'
import { bytes, when } from '@/lib/format'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { LoadError, Notice, Section, useAct } from '@/components/common'

export function Backups({ id, active }: { id: string; active: boolean }) {
  const { t } = useTranslation()
  const list = useQuery({
    queryKey: ['backups', id], queryFn: () => API.backups(id),
    refetchInterval: (q) => (q.state.data?.agent_backups ?? []).some((b) => b.status === 'queued' || b.status === 'running') ? 3000 : false,
  })
  const create = useAct(() => API.createBackup(id), { ok: t('backups.requested'), invalidate: [['backups', id]] })
  const backups = list.data?.backups ?? []
  const pending = (list.data?.agent_backups ?? []).filter((b) => b.status !== 'done')
  return (
    <Section title={t('backups.title')} actions={
      <Button onClick={() => create.mutate()} disabled={create.busy || !active} title={active ? undefined : t('backups.onlyActive')}>
        {t('backups.now')}</Button>}>
      <LoadError error={list.error} retry={() => list.refetch()} />
      <Notice note={create.note} />
      {backups.length === 0 && !list.isPending ? <p className="text-muted-foreground">{t('backups.empty')}</p> : (
        <Table>
          <TableHeader><TableRow><TableHead>{t('backups.made')}</TableHead><TableHead>{t('backups.kind')}</TableHead>
            <TableHead>{t('backups.name')}</TableHead><TableHead>{t('backups.size')}</TableHead><TableHead>{t('backups.status')}</TableHead></TableRow></TableHeader>
          <TableBody>
            {backups.map((b) => (
              <TableRow key={b.id}>
                <TableCell>{when(b.created_at)}</TableCell><TableCell>{b.kind}</TableCell>
                <TableCell className="font-mono text-xs">{b.name ?? '—'}</TableCell><TableCell>{bytes(b.size_bytes)}</TableCell>
                <TableCell><Badge variant={b.status === 'done' ? 'success' : 'secondary'}>{b.status}</Badge></TableCell>
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
                {b.status === 'queued' || b.status === 'running' ? `${b.status}…` : b.status}</Badge></li>
            ))}
          </ul>
        </>
      )}
    </Section>
  )
}
