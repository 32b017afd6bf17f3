// Drift between what WHMCS was told and our state, with the fix each row
// needs (derived from its reasons).
import { Link } from 'react-router'
import { useTranslation } from 'react-i18next'
import { useQuery } from '@tanstack/react-query'
import { when } from '@/lib/format'
import { Badge } from '@/components/ui/badge'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { LoadError, Loading, Section, StateBadge } from '@/components/common'
import { ADMIN } from './api'

export function useDrift() {
  return useQuery({ queryKey: ['admin', 'drift'], queryFn: ADMIN.drift, refetchInterval: 30_000 })
}

export function WhmcsSync() {
  const { t } = useTranslation()
  const q = useDrift()
  const rows = q.data?.drift ?? []
  return (
    <div className="flex flex-col gap-4">
      <h1>{t('admin.whmcs.title')}</h1>
      <p className="text-muted-foreground text-sm">{t('admin.whmcs.intro')}</p>
      <LoadError error={q.error} retry={() => q.refetch()} />
      {q.isPending ? <Loading /> : (
        <Section title={t('admin.whmcs.count', { count: rows.length })} testid="adm-drift">
          {rows.length === 0 ? <p className="text-muted-foreground">{t('admin.whmcs.none')}</p> : (
            <Table>
              <TableHeader><TableRow><TableHead>{t('admin.instances.slug')}</TableHead><TableHead>{t('admin.whmcs.service')}</TableHead>
                <TableHead>{t('admin.whmcs.ours')}</TableHead><TableHead>{t('admin.whmcs.theirs')}</TableHead>
                <TableHead>{t('admin.whmcs.reasons')}</TableHead><TableHead>{t('admin.whmcs.fix')}</TableHead></TableRow></TableHeader>
              <TableBody>
                {rows.map((r) => (
                  <TableRow key={r.id} data-testid="adm-drift-row">
                    <TableCell><Link to={`/admin/instances/${r.id}`} className="font-mono">{r.slug}</Link></TableCell>
                    <TableCell>#{r.whmcs_service_id}</TableCell>
                    <TableCell><StateBadge state={r.state} /> <span className="text-muted-foreground text-xs">({t('admin.whmcs.expects', { status: r.expected_whmcs_status ?? '—' })})</span></TableCell>
                    <TableCell>{r.whmcs_status ?? '—'}<div className="text-muted-foreground text-xs">{r.whmcs_status_source ? t(`admin.whmcs.source.${r.whmcs_status_source}`, { defaultValue: r.whmcs_status_source }) : ''} {when(r.whmcs_status_at)}</div></TableCell>
                    <TableCell className="flex flex-wrap gap-1">{r.reasons.map((x) => <Badge key={x} variant="warning">{t(`admin.whmcs.reason.${x}`, { defaultValue: x })}</Badge>)}</TableCell>
                    <TableCell className="text-sm">{r.reasons.map((x) => t(`admin.whmcs.howto.${x}`, { defaultValue: '' })).filter(Boolean).join(' ')}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </Section>
      )}
    </div>
  )
}
