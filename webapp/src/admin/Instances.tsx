// Instances: server-side search (slug, hostname, email, IPv4, WHMCS service
// id, instance id), filters (state, plan, region, OpenClaw version), sort
// and pagination, all in the URL so a view can be linked and reloaded.
import { type FormEvent, useState } from 'react'
import { Link, useSearchParams } from 'react-router'
import { useTranslation } from 'react-i18next'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { ArrowDownIcon, ArrowUpIcon } from 'lucide-react'
import { API } from '@/lib/api'
import { ago, when } from '@/lib/format'
import { INSTANCE_STATES } from '@/generated/states'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { NativeSelect } from '@/components/ui/native-select'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { LoadError, Loading, Section, StateBadge } from '@/components/common'
import { ADMIN, type InstanceFilter } from './api'

const PAGE = 50
const SORTS = ['created', 'updated', 'slug', 'state', 'plan', 'region'] as const

export function Instances() {
  const { t } = useTranslation()
  const [sp, setSp] = useSearchParams()
  const f: InstanceFilter = {
    q: sp.get('q') ?? undefined, state: sp.get('state') ?? undefined, plan: sp.get('plan') ?? undefined,
    region: sp.get('region') ?? undefined, version: sp.get('version') ?? undefined,
    sort: SORTS.find((x) => x === sp.get('sort')), dir: sp.get('dir') === 'asc' ? 'asc' : undefined,
    offset: Number(sp.get('offset') ?? 0) || 0, limit: PAGE, after: sp.get('after') ?? undefined,
  }
  const [q, setQ] = useState(f.q ?? '')
  const list = useQuery({ queryKey: ['admin', 'instances', f], queryFn: () => ADMIN.instances(f), placeholderData: keepPreviousData })
  const plans = useQuery({ queryKey: ['admin', 'plans'], queryFn: ADMIN.plans, staleTime: 60_000 })
  const regions = useQuery({ queryKey: ['regions'], queryFn: API.regions, staleTime: 3_600_000 })

  const set = (patch: Record<string, string | undefined>) => {
    const n = new URLSearchParams(sp)
    for (const [k, v] of Object.entries(patch)) if (v) n.set(k, v); else n.delete(k)
    if (!('offset' in patch)) n.delete('offset')
    if (!('after' in patch)) n.delete('after')
    setSp(n)
  }
  const search = (e: FormEvent) => { e.preventDefault(); set({ q: q.trim() || undefined }) }
  const sortBy = (s: string) => set({ sort: s, dir: f.sort === s && f.dir !== 'asc' ? 'asc' : 'desc' })
  const total = list.data?.total ?? 0
  const from = total ? (f.offset ?? 0) + 1 : 0
  const to = Math.min((f.offset ?? 0) + PAGE, total)

  const SortHead = ({ s, label }: { s: (typeof SORTS)[number]; label: string }) => (
    <TableHead aria-sort={(f.sort ?? 'created') === s ? (f.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
      <button type="button" className="inline-flex items-center gap-1 hover:underline" onClick={() => sortBy(s)} data-testid={`sort-${s}`}>
        {label}{(f.sort ?? 'created') === s && (f.dir === 'asc' ? <ArrowUpIcon className="size-3" aria-hidden="true" /> : <ArrowDownIcon className="size-3" aria-hidden="true" />)}
      </button>
    </TableHead>
  )

  return (
    <div className="flex flex-col gap-4">
      <h1>{t('admin.instances.title')}</h1>
      <Section title={t('admin.instances.filters')}>
        <form onSubmit={search} className="flex flex-wrap items-end gap-3" role="search">
          <div className="flex min-w-64 flex-1 flex-col gap-1.5">
            <Label htmlFor="adm-q">{t('admin.instances.search')}</Label>
            <Input id="adm-q" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('admin.instances.searchHint')} data-testid="adm-q" />
          </div>
          <Button type="submit">{t('admin.instances.searchButton')}</Button>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="adm-state">{t('admin.instances.state')}</Label>
            <NativeSelect id="adm-state" value={f.state ?? ''} onChange={(e) => set({ state: e.target.value })} data-testid="adm-state">
              <option value="">{t('admin.all')}</option>
              {INSTANCE_STATES.map((s) => <option key={s} value={s}>{t(`state.${s}`)}</option>)}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="adm-plan">{t('admin.instances.plan')}</Label>
            <NativeSelect id="adm-plan" value={f.plan ?? ''} onChange={(e) => set({ plan: e.target.value })} data-testid="adm-plan">
              <option value="">{t('admin.all')}</option>
              {(plans.data?.plans ?? []).map((p) => <option key={p.name} value={p.name}>{p.display_name}</option>)}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="adm-region">{t('admin.instances.region')}</Label>
            <NativeSelect id="adm-region" value={f.region ?? ''} onChange={(e) => set({ region: e.target.value })} data-testid="adm-region">
              <option value="">{t('admin.all')}</option>
              {(regions.data?.regions ?? []).map((r) => <option key={r.name} value={r.name}>{r.display_name}</option>)}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="adm-version">{t('admin.instances.version')}</Label>
            <Input id="adm-version" className="w-32" defaultValue={f.version ?? ''} placeholder="2026.9.6"
              onBlur={(e) => set({ version: e.target.value.trim() || undefined })} data-testid="adm-version" />
          </div>
        </form>
      </Section>
      <LoadError error={list.error} retry={() => list.refetch()} />
      {list.isPending ? <Loading /> : (
        <Section title={t('admin.instances.count', { from, to, total })} testid="adm-instances">
          <Table>
            <TableHeader><TableRow>
              <SortHead s="slug" label={t('admin.instances.slug')} />
              <SortHead s="state" label={t('admin.instances.state')} />
              <TableHead>{t('admin.instances.owner')}</TableHead>
              <SortHead s="plan" label={t('admin.instances.plan')} />
              <SortHead s="region" label={t('admin.instances.region')} />
              <TableHead>{t('admin.instances.version')}</TableHead>
              <TableHead>IPv4</TableHead>
              <SortHead s="created" label={t('admin.instances.created')} />
              <SortHead s="updated" label={t('admin.instances.updated')} />
            </TableRow></TableHeader>
            <TableBody>
              {(list.data?.instances ?? []).map((i) => (
                <TableRow key={i.id} data-testid="adm-instance-row">
                  <TableCell><Link to={`/admin/instances/${i.id}`} className="font-mono">{i.slug}</Link></TableCell>
                  <TableCell><StateBadge state={i.state} />{i.failed_state ? <span className="text-muted-foreground ml-1 text-xs">@{i.failed_state}</span> : null}</TableCell>
                  <TableCell className="text-sm">{i.email ?? '—'}</TableCell>
                  <TableCell>{i.plan}</TableCell><TableCell>{i.region}</TableCell>
                  <TableCell className="font-mono text-xs">{i.openclaw_version ?? '—'}</TableCell>
                  <TableCell className="font-mono text-xs">{i.ipv4 ?? '—'}</TableCell>
                  <TableCell className="text-sm" title={when(i.created_at)}>{ago(i.created_at)}</TableCell>
                  <TableCell className="text-sm" title={when(i.updated_at)}>{ago(i.updated_at)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {total === 0 && <p className="text-muted-foreground">{t('admin.instances.none')}</p>}
          <div className="flex items-center justify-end gap-2">
            <Button variant="outline" size="sm" disabled={(f.offset ?? 0) === 0}
              onClick={() => set({ offset: String(Math.max(0, (f.offset ?? 0) - PAGE)) })}>{t('admin.prev')}</Button>
            {/* next: keyset (as fast on page 2,000 as on page 2); back: by offset */}
            <Button variant="outline" size="sm" disabled={!list.data?.next_after} data-testid="adm-next"
              onClick={() => set({ offset: String((f.offset ?? 0) + PAGE), after: list.data?.next_after ?? undefined })}>{t('admin.next')}</Button>
          </div>
        </Section>
      )}
    </div>
  )
}
