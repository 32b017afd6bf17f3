// Backups of the instance's OpenClaw state: the list, and "back up now"
// (a command the agent runs; its progress shows under "Requested").
import { API } from '../api'
import { bytes, when } from '../util'
import { LoadError, Notice, Section, useAction, useLoad } from './parts'

export function Backups({ id, active }: { id: string; active: boolean }) {
  const list = useLoad(() => API.backups(id), [id])
  const act = useAction()
  const create = async () => {
    if (await act.run(() => API.createBackup(id), 'Backup requested; it appears below when your instance has made it.')) list.reload()
  }
  const backups = list.data?.backups ?? []
  const pending = (list.data?.agent_backups ?? []).filter((b) => b.status !== 'done')
  return (
    <Section title="Backups" actions={
      <button onClick={create} disabled={act.busy || !active} title={active ? undefined : 'Only a running instance can be backed up'}>Back up now</button>}>
      <LoadError error={list.error} retry={list.reload} />
      <Notice note={act.note} />
      {backups.length === 0 && !list.loading ? <p className="muted">No backups yet.</p> : (
        <table className="table">
          <thead><tr><th>Made</th><th>Kind</th><th>Name</th><th>Size</th><th>Status</th></tr></thead>
          <tbody>
            {backups.map((b) => (
              <tr key={b.id}>
                <td>{when(b.created_at)}</td>
                <td>{b.kind}</td>
                <td className="mono small">{b.name ?? '—'}</td>
                <td>{bytes(b.size_bytes)}</td>
                <td><span className={`badge b-${b.status}`}>{b.status}</span></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pending.length > 0 && (
        <>
          <h3>Requested</h3>
          <ul className="plain">
            {pending.map((b) => (
              <li key={b.command_id}>{when(b.created_at)} — <span className={`badge b-${b.status}`}>{b.status === 'queued' || b.status === 'running' ? `${b.status}…` : b.status}</span></li>
            ))}
          </ul>
        </>
      )}
    </Section>
  )
}
