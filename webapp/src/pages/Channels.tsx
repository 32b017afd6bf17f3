// Messaging channels: Telegram, Discord, Slack, WhatsApp.  Tokens are
// write-only (the API says only whether one is set); leaving a token field
// empty keeps the stored one.
import { FormEvent, useEffect, useState } from 'react'
import { API, Channel } from '../api'
import { when } from '../util'
import { LoadError, Notice, Section, useAction, useLoad } from './parts'

interface Kind {
  kind: string
  label: string
  fields: [string, string, string][] // name, label, placeholder
  help: string
}

const KINDS: Kind[] = [
  { kind: 'telegram', label: 'Telegram', fields: [['bot_token', 'Bot token', '123456:ABC-DEF…']],
    help: 'Create a bot with @BotFather and paste its token.' },
  { kind: 'discord', label: 'Discord', fields: [['token', 'Bot token', 'MTE…']],
    help: 'Discord Developer Portal → your application → Bot → Reset Token. Enable the Message Content intent.' },
  { kind: 'slack', label: 'Slack', fields: [['bot_token', 'Bot token', 'xoxb-…'], ['app_token', 'App-level token', 'xapp-…']],
    help: 'A Slack app in Socket Mode: the bot token (xoxb-) and an app-level token (xapp-) with connections:write.' },
  { kind: 'whatsapp', label: 'WhatsApp', fields: [],
    help: 'WhatsApp links by QR code: enable it here, then scan the code shown in your OpenClaw control panel.' },
]

const POLICIES = [
  ['pairing', 'Pairing: strangers get a code you approve'],
  ['allowlist', 'Allow list only'],
  ['open', 'Open: anyone may message'],
  ['disabled', 'Direct messages off'],
]

export function Channels({ id }: { id: string }) {
  const list = useLoad(() => API.channels(id), [id])
  const byKind = new Map((list.data?.channels ?? []).map((c) => [c.kind, c]))
  return (
    <>
      <LoadError error={list.error} retry={list.reload} />
      {KINDS.map((k) => (
        <ChannelCard key={k.kind} id={id} k={k} ch={byKind.get(k.kind)} reload={list.reload} />
      ))}
    </>
  )
}

function ChannelCard({ id, k, ch, reload }: { id: string; k: Kind; ch?: Channel; reload: () => Promise<void> }) {
  const act = useAction()
  const [open, setOpen] = useState(false)
  const [enabled, setEnabled] = useState(true)
  const [policy, setPolicy] = useState('pairing')
  const [allow, setAllow] = useState('')
  const [secrets, setSecrets] = useState<Record<string, string>>({})

  useEffect(() => {
    setEnabled(ch?.enabled ?? true)
    setPolicy(ch?.dm_policy ?? 'pairing')
    setAllow((ch?.allow_from ?? []).filter((a) => a !== '*').join('\n'))
  }, [ch])

  const save = async (e: FormEvent) => {
    e.preventDefault()
    const s: Record<string, string> = {}
    for (const [f] of k.fields) if (secrets[f]?.trim()) s[f] = secrets[f].trim()
    if (!ch?.secret_set && k.fields.length && Object.keys(s).length < k.fields.length) {
      act.setNote({ kind: 'error', text: `Enter the ${k.fields.map((f) => f[1].toLowerCase()).join(' and ')}.` })
      return
    }
    const body: Record<string, unknown> = {
      enabled,
      dm_policy: policy,
      allow_from: allow.split(/[\s,]+/).map((a) => a.trim()).filter(Boolean),
    }
    if (Object.keys(s).length) body.secrets = s
    if (await act.run(() => API.putChannel(id, k.kind, body), `${k.label} saved; your instance applies it within seconds.`)) {
      setSecrets({})
      setOpen(false)
      reload()
    }
  }
  const remove = async () => {
    if (await act.run(() => API.deleteChannel(id, k.kind), `${k.label} removed.`)) {
      setOpen(false)
      reload()
    }
  }

  const status = !ch ? <span className="badge">Not connected</span>
    : ch.enabled ? <span className="badge state-active">Enabled</span>
    : <span className="badge">Disabled</span>

  return (
    <Section title={k.label} actions={<div className="row">{status}
      <button className="ghost small" onClick={() => setOpen(!open)} data-testid={`channel-${k.kind}-edit`}>
        {open ? 'Close' : ch ? 'Edit' : 'Connect'}</button></div>}>
      {ch && !open && (
        <p className="muted small">
          Direct messages: {POLICIES.find(([p]) => p === ch.dm_policy)?.[1] ?? ch.dm_policy}
          {ch.allow_from.length > 0 && ch.dm_policy !== 'open' ? ` · allowed: ${ch.allow_from.join(', ')}` : ''}
          {k.fields.length ? ` · token ${ch.secret_set ? 'set' : 'missing'}` : ''} · updated {when(ch.updated_at)}
        </p>
      )}
      {open && (
        <form className="form-grid" onSubmit={save}>
          <p className="muted small span">{k.help}</p>
          {k.fields.map(([f, label, ph]) => (
            <label key={f}>
              {label}
              <input type="password" autoComplete="off" value={secrets[f] ?? ''}
                onChange={(e) => setSecrets({ ...secrets, [f]: e.target.value })}
                placeholder={ch?.secret_set ? 'stored — leave empty to keep' : ph} />
            </label>
          ))}
          <label>
            Direct messages
            <select value={policy} onChange={(e) => setPolicy(e.target.value)}>
              {POLICIES.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
            </select>
          </label>
          {policy !== 'open' && policy !== 'disabled' && (
            <label className="span">
              Allowed senders <span className="muted small">(one per line, e.g. tg:123456789 or +15551234567)</span>
              <textarea rows={3} value={allow} onChange={(e) => setAllow(e.target.value)} />
            </label>
          )}
          <label className="check">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
          </label>
          <div className="row span">
            <button type="submit" disabled={act.busy}>Save</button>
            {ch && <button type="button" className="danger ghost" disabled={act.busy} onClick={remove}>Remove channel</button>}
          </div>
        </form>
      )}
      <Notice note={act.note} />
    </Section>
  )
}
