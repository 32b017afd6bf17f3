// One instance: state (with provisioning progress, polled while it moves),
// its address, plan, region, IP, recent events and reboot; then the
// settings tabs (channels, AI keys, skills, pairing, backups, usage).  The
// tab is in the URL's hash, so a reload or a link opens it again.
import { Fragment, lazy, type ReactNode, Suspense, useEffect, useState } from 'react'
import { Link, useParams } from 'react-router'
import { useTranslation } from 'react-i18next'
import { useQuery } from '@tanstack/react-query'
import { API, type Instance } from '@/lib/api'
import { ago, MOVING, when } from '@/lib/format'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs'
import { Confirm, LoadError, Loading, Notice, Section, StateBadge, useAct } from '@/components/common'
import { Channels } from './Channels'
import { AiKeys } from './AiKeys'
import { Skills } from './Skills'
import { Pairing } from './Pairing'
import { Backups } from './Backups'
import { useRegionName } from './regions'
import { GatewayAccess, ModelPicker, ServerHealth, WhatsAppConnect } from './FirstHour'
import { OrderProgress } from './OrderProgress'

const Usage = lazy(() => import('./Usage'))

const TABS = ['overview', 'channels', 'ai-keys', 'skills', 'pairing', 'backups', 'usage'] as const
type Tab = (typeof TABS)[number]

function tabFromHash(): Tab {
  const h = location.hash.replace(/^#/, '')
  return TABS.find((t) => t === h) ?? 'overview'
}

export function useInstance(id: string) {
  return useQuery({
    queryKey: ['instance', id],
    queryFn: () => API.instance(id),
    // poll while the instance changes on its own
    refetchInterval: (q) => {
      const i = q.state.data
      return i && (MOVING.has(i.state) || i.pending_action) ? 3000 : false
    },
  })
}

export function InstancePage() {
  const { t } = useTranslation()
  const id = useParams().id ?? ''
  const inst = useInstance(id)
  const [tab, setTab] = useState<Tab>(tabFromHash)

  useEffect(() => {
    const on = () => setTab(tabFromHash())
    window.addEventListener('hashchange', on)
    return () => window.removeEventListener('hashchange', on)
  }, [])
  const pick = (v: string) => {
    const t = (TABS.find((x) => x === v) ?? 'overview') as Tab
    history.replaceState(history.state, '', t === 'overview' ? location.pathname : `#${t}`)
    setTab(t)
  }

  const back = <p><Link to="/">{t('inst.back')}</Link></p>
  const i = inst.data
  if (!i) {
    return <div>{back}{inst.error ? <LoadError error={inst.error} retry={() => inst.refetch()} /> : <Loading />}</div>
  }

  return (
    <div className="flex flex-col gap-4">
      {back}
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="font-mono" data-testid="slug">{i.slug}</h1>
          <a href={i.url} target="_blank" rel="noopener noreferrer" className="text-muted-foreground text-sm">{i.hostname} ↗</a>
        </div>
        <StateBadge state={i.state} className="text-sm" />
      </div>
      <Tabs value={tab} onValueChange={pick}>
        <TabsList>
          {TABS.map((x) => <TabsTrigger key={x} value={x} data-testid={`tab-${x}`}>{t(`inst.tabs.${x}`)}</TabsTrigger>)}
        </TabsList>
        <TabsContent value="overview"><Overview i={i} /></TabsContent>
        <TabsContent value="channels" className="flex flex-col gap-4">
          <Channels id={id} /><WhatsAppConnect id={id} active={i.state === 'active'} /></TabsContent>
        <TabsContent value="ai-keys" className="flex flex-col gap-4"><AiKeys id={id} /><ModelPicker id={id} /></TabsContent>
        <TabsContent value="skills"><Skills id={id} /></TabsContent>
        <TabsContent value="pairing"><Pairing id={id} /></TabsContent>
        <TabsContent value="backups"><Backups i={i} /></TabsContent>
        <TabsContent value="usage"><Suspense fallback={<Loading />}><Usage id={id} /></Suspense></TabsContent>
      </Tabs>
    </div>
  )
}

export function Events({ events }: { events?: Instance['events'] }) {
  const { t } = useTranslation()
  if (!events?.length) return <p className="text-muted-foreground">{t('app.none')}</p>
  return (
    <ul className="flex flex-col gap-2 text-sm" data-testid="events">
      {events.map((e, n) => (
        <li key={n} className="grid grid-cols-[7rem_1fr] gap-2">
          <span className="text-muted-foreground" title={when(e.at)}>{ago(e.at) || when(e.at)}</span>
          <span>
            {e.from && e.to ? <><b>{e.from}</b> → <b>{e.to}</b> </> : <b>{e.kind.replace(/_/g, ' ')} </b>}
            {e.message ? <span className="text-muted-foreground">{e.message}</span> : null}
          </span>
        </li>
      ))}
    </ul>
  )
}

function Overview({ i }: { i: Instance }) {
  const { t } = useTranslation()
  const region = useRegionName()
  const reboot = useAct(() => API.reboot(i.id), { ok: t('inst.rebootDone'), invalidate: [['instance', i.id], ['me']] })
  const kv: [string, ReactNode][] = [
    [t('inst.address'), <a href={i.url} target="_blank" rel="noopener noreferrer" data-testid="hostname">{i.hostname}</a>],
    [t('inst.plan'), <>{i.plan}{i.pending_plan ? ` → ${t('inst.pendingPlan', { plan: i.pending_plan })}` : ''}</>],
    [t('inst.region'), region(i.region)],
    [t('inst.ipv4'), <span className="font-mono">{i.ipv4 ?? '—'}</span>],
    [t('inst.ipv6'), <span className="font-mono">{i.ipv6 ?? '—'}</span>],
    [t('inst.openclaw'), i.openclaw_version ?? '—'],
    [t('inst.created'), when(i.created_at)],
  ]
  if (i.active_at) kv.push([t('inst.readySince'), when(i.active_at)])
  return (
    <div className="flex flex-col gap-4">
      <OrderProgress id={i.id} />
      <ServerHealth id={i.id} />
      <GatewayAccess id={i.id} />
      {i.state === 'suspended' && <Alert variant="warning"><AlertDescription>{t('inst.suspended')}</AlertDescription></Alert>}
      <div className="grid gap-4 md:grid-cols-2">
        <Section title={t('inst.details')}>
          <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
            {kv.map(([k, v]) => <Fragment key={k}><dt className="text-muted-foreground">{k}</dt><dd>{v}</dd></Fragment>)}
          </dl>
          <div>
            <Confirm trigger={i.pending_action === 'reboot' ? t('inst.rebooting') : t('inst.reboot')}
              title={t('inst.rebootTitle')} text={t('inst.rebootText')} action={t('inst.rebootNow')}
              disabled={reboot.busy || i.state !== 'active' || !!i.pending_action}
              onConfirm={() => reboot.mutate()} testid="reboot" />
          </div>
          <Notice note={reboot.note} />
        </Section>
        <Section title={t('inst.events')}><Events events={i.events} /></Section>
      </div>
    </div>
  )
}
