// One instance: state (with provisioning progress while it moves), its
// address, plan, region, IP, recent events and reboot; then the settings
// tabs (channels, AI keys, skills, pairing, backups, usage).
import { useEffect, useState } from 'react'
import { API, Instance } from '../api'
import { linkClick } from '../router'
import { ago, MOVING, REGIONS, when } from '../util'
import { LoadError, Notice, Progress, StateBadge, useAction, useLoad } from './parts'
import { Channels } from './Channels'
import { AiKeys } from './AiKeys'
import { Skills } from './Skills'
import { Pairing } from './Pairing'
import { Backups } from './Backups'
import { Usage } from './Usage'

const TABS = [
  ['overview', 'Overview'],
  ['channels', 'Channels'],
  ['ai-keys', 'AI keys'],
  ['skills', 'Skills'],
  ['pairing', 'Pairing'],
  ['backups', 'Backups'],
  ['usage', 'Usage'],
] as const
type Tab = (typeof TABS)[number][0]

function tabFromHash(): Tab {
  const h = location.hash.replace(/^#/, '')
  return (TABS.find(([t]) => t === h)?.[0] ?? 'overview') as Tab
}

export function InstancePage({ id }: { id: string }) {
  const inst = useLoad(() => API.instance(id), [id])
  const [tab, setTab] = useState<Tab>(tabFromHash)
  const i = inst.data

  // poll while the instance changes on its own
  const moving = i ? MOVING.has(i.state) || !!i.pending_action : false
  useEffect(() => {
    if (!moving) return
    const t = setInterval(() => { inst.reload() }, 3000)
    return () => clearInterval(t)
  }, [moving, inst.reload])

  useEffect(() => {
    const on = () => setTab(tabFromHash())
    window.addEventListener('hashchange', on)
    return () => window.removeEventListener('hashchange', on)
  }, [])
  const pick = (t: Tab) => {
    history.replaceState(null, '', t === 'overview' ? location.pathname : `#${t}`)
    setTab(t)
  }

  if (!i) {
    return (
      <div>
        <p><a href="/" onClick={linkClick('/')}>← Your instances</a></p>
        {inst.error ? <LoadError error={inst.error} retry={inst.reload} /> : <div className="center muted">Loading…</div>}
      </div>
    )
  }

  return (
    <div>
      <p className="crumbs"><a href="/" onClick={linkClick('/')}>← Your instances</a></p>
      <div className="row between wrap title-row">
        <div>
          <h1 className="mono" data-testid="slug">{i.slug}</h1>
          <a href={i.url} target="_blank" rel="noopener noreferrer" className="muted">{i.hostname} ↗</a>
        </div>
        <StateBadge state={i.state} />
      </div>
      <nav className="tabs" role="tablist">
        {TABS.map(([t, label]) => (
          <button key={t} role="tab" aria-selected={tab === t} className={tab === t ? 'tab active' : 'tab'}
            onClick={() => pick(t)} data-testid={`tab-${t}`}>{label}</button>
        ))}
      </nav>
      {tab === 'overview' && <Overview i={i} reload={inst.reload} />}
      {tab === 'channels' && <Channels id={id} />}
      {tab === 'ai-keys' && <AiKeys id={id} />}
      {tab === 'skills' && <Skills id={id} />}
      {tab === 'pairing' && <Pairing id={id} />}
      {tab === 'backups' && <Backups id={id} active={i.state === 'active'} />}
      {tab === 'usage' && <Usage id={id} />}
    </div>
  )
}

function Overview({ i, reload }: { i: Instance; reload: () => Promise<void> }) {
  const act = useAction()
  const [confirm, setConfirm] = useState(false)
  const reboot = async () => {
    setConfirm(false)
    if (await act.run(() => API.reboot(i.id), 'Reboot requested; OpenClaw will be back in about a minute.')) reload()
  }
  const provisioning = ['pending', 'creating', 'booting'].includes(i.state)
  return (
    <>
      {provisioning && (
        <section className="card">
          <h2>Setting up your instance</h2>
          <p className="muted">This usually takes about a minute. The page updates by itself.</p>
          <Progress state={i.state} />
        </section>
      )}
      {i.state === 'active' && (
        <section className="card row between wrap">
          <div>
            <h2>OpenClaw is running</h2>
            <span className="muted">Open the control panel and sign in with the gateway token from your welcome email.</span>
          </div>
          <a className="button" href={i.url} target="_blank" rel="noopener noreferrer">Open OpenClaw ↗</a>
        </section>
      )}
      {i.state === 'failed' && (
        <p className="alert error" role="alert">
          Setting up this instance ran into a problem; our team has been alerted and will resume it.
          {i.last_error ? <><br /><span className="small mono">{i.last_error}</span></> : null}
        </p>
      )}
      {i.state === 'suspended' && (
        <p className="alert warn">This instance is suspended. Settle the open invoice in your client area to resume it.</p>
      )}
      <div className="two">
        <section className="card">
          <h2>Details</h2>
          <div className="kv">
            <span>Address</span><span><a href={i.url} target="_blank" rel="noopener noreferrer" data-testid="hostname">{i.hostname}</a></span>
            <span>Plan</span><span>{i.plan}{i.pending_plan ? ` → ${i.pending_plan} (pending)` : ''}</span>
            <span>Region</span><span>{REGIONS[i.region] ?? i.region}</span>
            <span>IPv4</span><span className="mono">{i.ipv4 ?? '—'}</span>
            <span>IPv6</span><span className="mono">{i.ipv6 ?? '—'}</span>
            <span>OpenClaw</span><span>{i.openclaw_version ?? '—'}</span>
            <span>Created</span><span>{when(i.created_at)}</span>
            {i.active_at ? <><span>Ready since</span><span>{when(i.active_at)}</span></> : null}
          </div>
          <div className="row actions">
            {confirm ? (
              <>
                <span>Reboot the server? OpenClaw is offline for about a minute.</span>
                <button className="danger" onClick={reboot} disabled={act.busy}>Reboot now</button>
                <button className="ghost" onClick={() => setConfirm(false)}>Cancel</button>
              </>
            ) : (
              <button onClick={() => setConfirm(true)} disabled={act.busy || i.state !== 'active' || !!i.pending_action}
                title={i.state !== 'active' ? 'Only a running instance can be rebooted' : undefined}>
                {i.pending_action === 'reboot' ? 'Rebooting…' : 'Reboot'}
              </button>
            )}
          </div>
          <Notice note={act.note} />
        </section>
        <section className="card">
          <h2>Recent events</h2>
          {!i.events?.length ? <p className="muted">Nothing yet.</p> : (
            <ul className="events">
              {i.events.map((e, n) => (
                <li key={n}>
                  <span className="muted small" title={when(e.at)}>{ago(e.at) || when(e.at)}</span>
                  <span>
                    {e.from && e.to ? <><b>{e.from}</b> → <b>{e.to}</b> </> : <b>{e.kind.replace(/_/g, ' ')} </b>}
                    {e.message ? <span className="muted">{e.message}</span> : null}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  )
}
