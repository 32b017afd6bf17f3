// Messaging channels: Telegram, Discord, Slack, WhatsApp.  Tokens are
// write-only (the API says only whether one is set); leaving a token field
// empty keeps the stored one.
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useQuery } from '@tanstack/react-query'
import { API, type Channel } from '@/lib/api'
import { when } from '@/lib/format'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { NativeSelect } from '@/components/ui/native-select'
import { Textarea } from '@/components/ui/textarea'
import { Checkbox } from '@/components/ui/checkbox'
import { LoadError, Notice, Section, useAct } from '@/components/common'

// the secret fields each kind needs (docs/api.md, settings.fcgi) and their placeholders
const KINDS: { kind: 'telegram' | 'discord' | 'slack' | 'whatsapp'; fields: [('bot_token' | 'token' | 'app_token'), string][] }[] = [
  { kind: 'telegram', fields: [['bot_token', '123456:ABC-DEF…']] },
  { kind: 'discord', fields: [['token', 'MTE…']] },
  { kind: 'slack', fields: [['bot_token', 'xoxb-…'], ['app_token', 'xapp-…']] },
  { kind: 'whatsapp', fields: [] },
]
const POLICIES = ['pairing', 'allowlist', 'open', 'disabled'] as const

export function Channels({ id }: { id: string }) {
  const list = useQuery({ queryKey: ['channels', id], queryFn: () => API.channels(id) })
  const byKind = new Map((list.data?.channels ?? []).map((c) => [c.kind, c]))
  return (
    <>
      <LoadError error={list.error} retry={() => list.refetch()} />
      {KINDS.map((k) => <ChannelCard key={k.kind} id={id} k={k} ch={byKind.get(k.kind)} />)}
    </>
  )
}

function ChannelCard({ id, k, ch }: { id: string; k: (typeof KINDS)[number]; ch?: Channel }) {
  const { t } = useTranslation()
  const name = t(`channels.${k.kind}`)
  const [open, setOpen] = useState(false)
  const [enabled, setEnabled] = useState(true)
  const [policy, setPolicy] = useState('pairing')
  const [allow, setAllow] = useState('')
  const [secrets, setSecrets] = useState<Record<string, string>>({})
  const inv = [['channels', id]]
  const save = useAct((body: Record<string, unknown>) => API.putChannel(id, k.kind, body),
    { invalidate: inv, ok: t('channels.saved', { name }), onSuccess: () => { setSecrets({}); setOpen(false) } })
  const remove = useAct(() => API.deleteChannel(id, k.kind),
    { invalidate: inv, ok: t('channels.removed', { name }), onSuccess: () => setOpen(false) })

  const toggle = () => {
    if (!open) {
      // the form starts from what is stored
      setEnabled(ch?.enabled ?? true)
      setPolicy(ch?.dm_policy ?? 'pairing')
      setAllow((ch?.allow_from ?? []).filter((a) => a !== '*').join('\n'))
    }
    setOpen(!open)
  }
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const s: Record<string, string> = {}
    for (const [f] of k.fields) if (secrets[f]?.trim()) s[f] = secrets[f].trim()
    if (!ch?.secret_set && k.fields.length && Object.keys(s).length < k.fields.length) {
      save.setNote({ kind: 'error', text: t('channels.enter', { fields: k.fields.map(([f]) => t(`channels.field.${f}`)).join(' + ') }) })
      return
    }
    const body: Record<string, unknown> = {
      enabled, dm_policy: policy,
      allow_from: allow.split(/[\s,]+/).map((a) => a.trim()).filter(Boolean),
    }
    if (Object.keys(s).length) body.secrets = s
    save.mutate(body)
  }

  const status = !ch ? <Badge variant="outline">{t('channels.notConnected')}</Badge>
    : ch.enabled ? <Badge variant="success">{t('channels.enabled')}</Badge>
    : <Badge variant="secondary">{t('channels.disabled')}</Badge>
  const busy = save.busy || remove.busy

  return (
    <Section title={name} testid={`channel-${k.kind}`} actions={<div className="flex items-center gap-2">{status}
      <Button variant="outline" size="sm" onClick={toggle} data-testid={`channel-${k.kind}-edit`} aria-expanded={open}>
        {open ? t('channels.close') : ch ? t('channels.edit') : t('channels.connect')}</Button></div>}>
      {ch && !open && (
        <p className="text-muted-foreground text-sm">
          {t('channels.dms')}: {t(`channels.policy.${ch.dm_policy}`, { defaultValue: ch.dm_policy })}
          {ch.allow_from.length > 0 && ch.dm_policy !== 'open' ? ` · ${t('channels.allowedList', { list: ch.allow_from.join(', ') })}` : ''}
          {k.fields.length ? ` · ${ch.secret_set ? t('channels.tokenSet') : t('channels.tokenMissing')}` : ''}
          {' · '}{t('channels.updated', { when: when(ch.updated_at) })}
        </p>
      )}
      {open && (
        <form className="grid gap-3 sm:grid-cols-2" onSubmit={submit}>
          <p className="text-muted-foreground text-sm sm:col-span-2">{t(`channels.help.${k.kind}`)}</p>
          {k.fields.map(([f, ph]) => (
            <div key={f} className="flex flex-col gap-1.5">
              <Label htmlFor={`${k.kind}-${f}`}>{t(`channels.field.${f}`)}</Label>
              <Input id={`${k.kind}-${f}`} type="password" autoComplete="off" value={secrets[f] ?? ''}
                onChange={(e) => setSecrets({ ...secrets, [f]: e.target.value })}
                placeholder={ch?.secret_set ? t('channels.keep') : ph} />
            </div>
          ))}
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${k.kind}-policy`}>{t('channels.dms')}</Label>
            <NativeSelect id={`${k.kind}-policy`} value={policy} onChange={(e) => setPolicy(e.target.value)}>
              {POLICIES.map((p) => <option key={p} value={p}>{t(`channels.policy.${p}`)}</option>)}
            </NativeSelect>
          </div>
          {policy !== 'open' && policy !== 'disabled' && (
            <div className="flex flex-col gap-1.5 sm:col-span-2">
              <Label htmlFor={`${k.kind}-allow`}>{t('channels.allowed')} <span className="text-muted-foreground font-normal">{t('channels.allowedHint')}</span></Label>
              <Textarea id={`${k.kind}-allow`} rows={3} value={allow} onChange={(e) => setAllow(e.target.value)} />
            </div>
          )}
          <div className="flex items-center gap-2 sm:col-span-2">
            <Checkbox id={`${k.kind}-enabled`} checked={enabled} onCheckedChange={(v) => setEnabled(v === true)} />
            <Label htmlFor={`${k.kind}-enabled`}>{t('channels.enabled')}</Label>
          </div>
          <div className="flex gap-2 sm:col-span-2">
            <Button type="submit" disabled={busy}>{save.busy ? t('channels.saving') : t('app.save')}</Button>
            {ch && <Button type="button" variant="outline" className="text-destructive" disabled={busy}
              onClick={() => remove.mutate()}>{t('channels.removeChannel')}</Button>}
          </div>
        </form>
      )}
      <Notice note={save.note ?? remove.note} />
    </Section>
  )
}
