// Pairing: people who messaged the bot and wait for approval (as the
// instance last reported them), approved by queuing a command for the
// agent; a code can also be typed in.
import { FormEvent, useState } from 'react'
import { API } from '../api'
import { ago, when } from '../util'
import { LoadError, Notice, Section, useAction, useLoad } from './parts'

export function Pairing({ id }: { id: string }) {
  const list = useLoad(() => API.pairing(id), [id])
  const act = useAction()
  const [channel, setChannel] = useState('telegram')
  const [code, setCode] = useState('')
  const [done, setDone] = useState<Set<string>>(new Set())

  const approve = async (ch: string, c: string) => {
    if (await act.run(() => API.approvePairing(id, ch, c), `Approved ${c} on ${ch}; your instance confirms it to the sender shortly.`)) {
      setDone(new Set(done).add(`${ch}:${c}`))
      return true
    }
    return false
  }
  const manual = async (e: FormEvent) => {
    e.preventDefault()
    if (await approve(channel, code.trim().toUpperCase())) setCode('')
  }
  const reqs = list.data?.requests ?? []
  return (
    <>
      <Section title="Pairing requests" actions={<button className="ghost small" onClick={() => list.reload()} disabled={list.loading}>Refresh</button>}>
        <p className="muted">With the “pairing” policy, someone who messages your bot for the first time gets a code. Approve it here to let them talk to your agent.</p>
        <LoadError error={list.error} retry={list.reload} />
        {reqs.length === 0 ? <p className="muted">No pending requests{list.data?.reported_at ? ` (as of ${ago(list.data.reported_at)})` : ''}.</p> : (
          <table className="table">
            <thead><tr><th>Channel</th><th>Sender</th><th>Code</th><th>Asked</th><th /></tr></thead>
            <tbody>
              {reqs.map((r) => {
                const k = `${r.channel}:${r.code}`
                return (
                  <tr key={k}>
                    <td>{r.channel}</td>
                    <td className="mono">{r.sender ?? '—'}</td>
                    <td className="mono">{r.code}</td>
                    <td className="muted" title={when(r.created_at)}>{ago(r.created_at)}</td>
                    <td className="right">
                      {done.has(k) ? <span className="badge state-active">Approved</span>
                        : <button className="small" disabled={act.busy} onClick={() => approve(r.channel, r.code)}>Approve</button>}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        )}
        <Notice note={act.note} />
      </Section>
      <Section title="Approve a code">
        <form className="form-grid" onSubmit={manual}>
          <label>
            Channel
            <select value={channel} onChange={(e) => setChannel(e.target.value)}>
              {['telegram', 'discord', 'slack', 'whatsapp'].map((c) => <option key={c}>{c}</option>)}
            </select>
          </label>
          <label>
            Code
            <input value={code} onChange={(e) => setCode(e.target.value)} placeholder="ABCD2345"
              pattern="[A-Za-z0-9]{4,16}" required />
          </label>
          <div><button type="submit" disabled={act.busy || !code.trim()}>Approve</button></div>
        </form>
      </Section>
    </>
  )
}
