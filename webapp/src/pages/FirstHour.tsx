// The customer's first hour, told honestly (GET /status): whether the
// server really runs OpenClaw (or is still setting up, waiting to hear
// from it, failed and why, with a retry), the warnings (self-signed
// certificate, a refused config, a skill that failed, a channel error),
// "Open OpenClaw" (the Control UI signed in by the token in the URL
// fragment), the gateway token (reveal, replace), browsers waiting for
// approval, WhatsApp's QR login, the AI model, and a skill's state on the
// server.
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useQuery } from '@tanstack/react-query'
import { ExternalLinkIcon } from 'lucide-react'
import { API, type ServerStatus } from '@/lib/api'
import { ago, errText } from '@/lib/format'
import { Button } from '@/components/ui/button'
import { Badge } from '@/components/ui/badge'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Confirm, Notice, Progress, Section, useAct } from '@/components/common'

/** The server's own status, polled while the page is open. */
export function useStatus(id: string) {
  return useQuery({ queryKey: ['status', id], queryFn: () => API.status(id), refetchInterval: 4000 })
}

export function ServerHealth({ id }: { id: string }) {
  const { t } = useTranslation()
  const st = useStatus(id)
  const retry = useAct(() => API.retry(id), { ok: t('first.retried'), invalidate: [['status', id], ['instance', id]] })
  const s = st.data
  if (!s) return null
  const known = ['running', 'waiting_for_server', 'not_reporting', 'gateway_not_ready', 'setting_up', 'error', 'suspended']
  const phase = known.includes(s.phase) ? s.phase : null
  return (
    <Section title={<span data-testid="phase">{phase ? t(`first.phase.${phase}`) : s.phase}</span>}
      testid="server-health" actions={s.phase === 'running' ? <OpenButton id={id} /> : undefined}>
      <div data-phase={s.phase} className="flex flex-col gap-3">
        {phase && <p className="text-muted-foreground text-sm">{t(`first.hint.${phase}`)}</p>}
        {s.phase === 'setting_up' && <Progress state={s.state} />}
        {s.phase === 'error' && (
          <Alert variant="destructive" role="alert"><AlertDescription>
            <p data-testid="failure">{s.error ?? t('first.noReason')}</p>
            <p className="text-sm">{t('first.told')}{s.retry_allowed ? ` ${t('first.canRetry')}` : ''}</p>
            {s.retry_allowed && <Button size="sm" onClick={() => retry.mutate()} disabled={retry.busy} data-testid="retry">{t('first.retry')}</Button>}
          </AlertDescription></Alert>
        )}
        <Notice note={retry.note} />
        {s.warnings.length > 0 && (
          <ul className="flex flex-col gap-2" data-testid="warnings">
            {s.warnings.map((w, n) => (
              <li key={n} data-code={w.code}><Alert variant="warning"><AlertDescription>{w.message}</AlertDescription></Alert></li>
            ))}
          </ul>
        )}
        <dl className="grid grid-cols-[10rem_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-muted-foreground">{t('first.version')}</dt><dd data-testid="running-version">{s.openclaw_version ?? '—'}</dd>
          <dt className="text-muted-foreground">{t('first.tls')}</dt>
          <dd data-testid="tls">{!s.tls ? '—' : s.tls.mode === 'letsencrypt' ? t('first.tlsOk') : t('first.tlsSelf', { why: s.tls.error ?? '' })}</dd>
          <dt className="text-muted-foreground">{t('first.lastReport')}</dt><dd>{s.reported_at ? ago(s.reported_at) || s.reported_at : t('first.noReport')}</dd>
        </dl>
        {s.channels.length > 0 && (
          <ul className="flex flex-col gap-1 text-sm" data-testid="channel-states">
            {s.channels.map((c) => (
              <li key={`${c.kind}/${c.account}`} data-testid={`channel-state-${c.kind}`} data-state={c.state} className="flex items-center gap-2">
                <span className="w-24">{t(`channels.${c.kind}`, { defaultValue: c.kind })}</span>
                <Badge variant={c.state === 'connected' ? 'success' : c.state === 'error' ? 'destructive' : 'secondary'}>
                  {t(`first.chan.${c.state}`, { defaultValue: c.state })}</Badge>
                {c.error && <span className="text-muted-foreground">{c.error}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
    </Section>
  )
}

/** Opens the Control UI with the token in the fragment (never sent to a server). */
function OpenButton({ id }: { id: string }) {
  const { t } = useTranslation()
  const [err, setErr] = useState('')
  const open = async () => {
    setErr('')
    // opened now, inside the click, so that no popup blocker stops it
    const w = window.open('', '_blank')
    try {
      const r = await API.revealToken(id)
      if (w) {
        w.opener = null
        w.location.href = r.control_ui_url
      } else location.href = r.control_ui_url
    } catch (e) {
      w?.close()
      setErr(errText(e))
    }
  }
  return (
    <div className="flex flex-col items-end gap-1">
      <Button onClick={open} data-testid="open-openclaw">{t('inst.open')} <ExternalLinkIcon aria-hidden="true" /></Button>
      {err && <span role="alert" className="text-destructive text-sm">{err}</span>}
    </div>
  )
}

export function GatewayAccess({ id }: { id: string }) {
  const { t } = useTranslation()
  const st = useStatus(id)
  const [token, setToken] = useState<string | null>(null)
  const reveal = useAct(async () => setToken((await API.revealToken(id)).token))
  const rotate = useAct(async () => {
    await API.rotateToken(id)
    setToken((await API.revealToken(id)).token)
  }, { ok: t('first.rotated') })
  const approve = useAct((rid: string) => API.approveDevice(id, rid), { ok: t('first.approved'), invalidate: [['status', id]] })
  const s = st.data
  if (!s || s.state !== 'active') return null
  return (
    <Section title={t('first.access')} testid="gateway-access">
      <p className="text-muted-foreground text-sm">{t('first.accessHint')}</p>
      <div className="flex flex-wrap items-center gap-2">
        {token ? <code className="bg-muted rounded px-2 py-1 font-mono text-sm break-all" data-testid="gateway-token">{token}</code>
          : <Button variant="outline" onClick={() => reveal.mutate()} disabled={reveal.busy} data-testid="reveal-token">{t('first.show')}</Button>}
        {token && <Button variant="ghost" size="sm" onClick={() => navigator.clipboard?.writeText(token)}>{t('first.copy')}</Button>}
        <Confirm trigger={t('first.rotate')} disabled={rotate.busy} testid="rotate-token"
          title={t('first.rotateTitle')} text={t('first.rotateText')} action={t('first.rotateNow')}
          onConfirm={() => rotate.mutate()} />
      </div>
      <Notice note={reveal.note ?? rotate.note} />
      <h3 className="font-medium">{t('first.devices')}</h3>
      {!s.devices?.length ? <p className="text-muted-foreground text-sm" data-testid="no-devices">{t('first.noDevices')}</p> : (
        <ul className="flex flex-col gap-2">
          {s.devices.map((d) => (
            <li key={d.request_id} className="flex items-center justify-between gap-2">
              <span>{d.name || t('first.aBrowser')} <span className="text-muted-foreground font-mono text-xs">{d.request_id}</span></span>
              <Button size="sm" onClick={() => approve.mutate(d.request_id)} disabled={approve.busy}>{t('first.approve')}</Button>
            </li>
          ))}
        </ul>
      )}
      <Notice note={approve.note} />
    </Section>
  )
}

/** "Connect WhatsApp": the login command, its QR live, and how it ended. */
export function WhatsAppConnect({ id, active }: { id: string; active: boolean }) {
  const { t } = useTranslation()
  const [cid, setCid] = useState<string | null>(null)
  const start = useAct(async () => {
    const chans = await API.channels(id)
    if (!chans.channels.some((c) => c.kind === 'whatsapp' && c.enabled))
      await API.putChannel(id, 'whatsapp', { enabled: true, dm_policy: 'pairing', allow_from: [] })
    setCid((await API.whatsappLogin(id)).command_id)
  }, { invalidate: [['channels', id]] })
  const cmd = useQuery({
    queryKey: ['command', id, cid], enabled: !!cid, queryFn: () => API.command(id, cid!),
    refetchInterval: (q) => (['linked', 'failed', 'timed_out'].includes(q.state.data?.outcome ?? '') ? false : 1500),
  })
  if (!active) return null
  const c = cmd.data
  const done = !c || ['linked', 'failed', 'timed_out'].includes(c.outcome ?? '')
  const known = ['waiting_for_server', 'starting', 'scan_qr', 'linked', 'failed', 'timed_out']
  return (
    <Section title={t('first.wa')} testid="whatsapp">
      <p className="text-muted-foreground text-sm">{t('first.waHint')}</p>
      {done && <Button onClick={() => start.mutate()} disabled={start.busy} data-testid="whatsapp-connect">{c ? t('first.waAgain') : t('first.wa')}</Button>}
      <Notice note={start.note} />
      {c && (
        <div data-testid="whatsapp-login" data-outcome={c.outcome}>
          <p role="status" className={c.outcome === 'linked' ? 'text-green-700' : c.outcome === 'failed' || c.outcome === 'timed_out' ? 'text-destructive' : ''}>
            {known.includes(c.outcome ?? '') ? t(`first.waState.${c.outcome}`) : c.outcome}
            {c.outcome === 'failed' && c.error ? ` (${c.error})` : ''}
          </p>
          {c.qr && <img src={c.qr} alt={t('first.waQr')} data-testid="whatsapp-qr" width={264} height={264}
            className="my-3 border-8 border-white shadow [image-rendering:pixelated]" />}
        </div>
      )}
    </Section>
  )
}

// suggestions until the instance's agent reports what its OpenClaw offers
const MODELS = ['anthropic/claude-sonnet-4-5', 'anthropic/claude-opus-4-1', 'anthropic/claude-haiku-4-5',
  'openai/gpt-5', 'openai/gpt-5-mini', 'google/gemini-2.5-pro', 'google/gemini-2.5-flash', 'openrouter/auto']

/** The primary model and its fallbacks ("provider/model"). */
export function ModelPicker({ id }: { id: string }) {
  const { t } = useTranslation()
  const st = useStatus(id)
  const [primary, setPrimary] = useState<string | null>(null)
  const [fallbacks, setFallbacks] = useState<string | null>(null)
  const m = st.data?.model
  const p = primary ?? m?.primary ?? ''
  const f = fallbacks ?? (m?.fallbacks ?? []).join(', ')
  const save = useAct(() => API.putModel(id, p.trim() || null, f.split(',').map((x) => x.trim()).filter(Boolean)), {
    ok: t('first.modelSaved'), invalidate: [['status', id]],
    onSuccess: () => { setPrimary(null); setFallbacks(null) },
  })
  return (
    <Section title={t('first.model')} testid="model">
      <p className="text-muted-foreground text-sm">{t('first.modelHint')}</p>
      <datalist id="och-models">{(m?.available ?? MODELS).map((x) => <option key={x} value={x} />)}</datalist>
      <div className="grid gap-3 md:grid-cols-2">
        <div className="flex flex-col gap-1">
          <Label htmlFor="model-primary">{t('first.primary')}</Label>
          <Input id="model-primary" list="och-models" value={p} placeholder="anthropic/claude-sonnet-4-5"
            onChange={(e) => setPrimary(e.target.value)} data-testid="model-primary" />
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor="model-fallbacks">{t('first.fallbacks')}</Label>
          <Input id="model-fallbacks" value={f} placeholder="openai/gpt-5-mini"
            onChange={(e) => setFallbacks(e.target.value)} data-testid="model-fallbacks" />
        </div>
      </div>
      <div><Button onClick={() => save.mutate()} disabled={save.busy} data-testid="model-save">{t('first.modelSave')}</Button></div>
      <Notice note={save.note} />
    </Section>
  )
}

/** A skill's state on the server: installed, failed (why), or on its way. */
export function skillState(s: ServerStatus | undefined, slug: string | undefined, enabled: boolean):
  { state: 'installed' | 'failed' | 'installing'; why?: string } | null {
  if (!s || !slug || !enabled || s.state !== 'active') return null
  const err = s.skills?.errors?.find((e) => e.startsWith(`${slug}:`) || e.startsWith(`${slug} `))
  if (err) return { state: 'failed', why: err.slice(slug.length + 1).trim() }
  if (s.skills?.installed?.some((i) => i.slug === slug)) return { state: 'installed' }
  return { state: 'installing' }
}

export function SkillOnServer({ id, slug, enabled }: { id: string; slug?: string; enabled: boolean }) {
  const { t } = useTranslation()
  const st = useStatus(id)
  const s = skillState(st.data, slug, enabled)
  if (!s) return null
  return (
    <div className="text-sm" data-testid="skill-state" data-state={s.state}>
      <Badge variant={s.state === 'installed' ? 'success' : s.state === 'failed' ? 'destructive' : 'secondary'}>
        {t(`first.skill.${s.state}`)}</Badge>
      {s.why ? <span className="text-muted-foreground"> {s.why}</span> : null}
    </div>
  )
}
