// The audit log: filter by actor, action (exact, or a prefix ending in a
// dot), object and time; keyset pages (newest first; new entries never
// shift a page); CSV export of everything the filter matches (up to
// 10,000 rows).
import { type FormEvent, useState } from 'react'
import { useSearchParams } from 'react-router'
import { useTranslation } from 'react-i18next'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { errText, when } from '@/lib/format'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { LoadError, Loading, Notice, type Note, Section } from '@/components/common'
import { ADMIN, type AuditEntry, type AuditFilter } from './api'
import { toCsv } from './csv'

const PAGE = 100
const FIELDS = ['actor', 'action', 'object_id', 'since', 'until'] as const

export function Audit() {
  const { t } = useTranslation()
  const [sp, setSp] = useSearchParams()
  const base: AuditFilter = Object.fromEntries(FIELDS.map((k) => [k, sp.get(k) ?? undefined]))
  const [form, setForm] = useState<Record<string, string>>(Object.fromEntries(FIELDS.map((k) => [k, sp.get(k) ?? ''])))
  const [pages, setPages] = useState<number[]>([]) // before_ids of the pages behind this one
  const before = sp.get('before_id') ? Number(sp.get('before_id')) : undefined
  const f = { ...base, before_id: before, limit: PAGE }
  const q = useQuery({ queryKey: ['admin', 'audit', f], queryFn: () => ADMIN.audit(f), placeholderData: keepPreviousData })
  const [exporting, setExporting] = useState(false)
  const [note, setNote] = useState<Note>(null)

  const apply = (e: FormEvent) => {
    e.preventDefault()
    const n = new URLSearchParams()
    for (const k of FIELDS) if (form[k]?.trim()) n.set(k, k === 'since' || k === 'until' ? new Date(form[k]).toISOString() : form[k].trim())
    setPages([])
    setSp(n)
  }
  const go = (id?: number) => {
    const n = new URLSearchParams(sp)
    if (id) n.set('before_id', String(id)); else n.delete('before_id')
    setSp(n)
  }
  const next = () => { setPages([...pages, before ?? 0]); go(q.data?.next_before_id ?? undefined) }
  const prev = () => { const p = [...pages]; const b = p.pop(); setPages(p); go(b || undefined) }

  const exportCsv = async () => {
    setExporting(true)
    setNote(null)
    try {
      const all: AuditEntry[] = []
      let b: number | undefined
      for (let i = 0; i < 20; i++) {
        const page = await ADMIN.audit({ ...base, limit: 500, before_id: b })
        all.push(...page.entries)
        if (!page.next_before_id) break
        b = page.next_before_id
      }
      const csv = toCsv<AuditEntry>([
        ['id', (r) => r.id], ['at', (r) => r.at], ['actor_kind', (r) => r.actor_kind], ['actor_id', (r) => r.actor_id],
        ['action', (r) => r.action], ['object_kind', (r) => r.object_kind], ['object_id', (r) => r.object_id],
        ['status', (r) => r.status], ['remote_addr', (r) => r.remote_addr], ['request_id', (r) => r.request_id], ['detail', (r) => r.detail],
      ], all)
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }))
      const a = document.createElement('a')
      a.href = url
      a.download = `audit-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '')}.csv`
      document.body.appendChild(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
      setNote({ kind: 'ok', text: t('admin.audit.exported', { count: all.length }) })
    } catch (e) {
      setNote({ kind: 'error', text: errText(e) })
    } finally {
      setExporting(false)
    }
  }

  return (
    <div className="flex flex-col gap-4">
      <h1>{t('admin.audit.title')}</h1>
      <Section title={t('admin.instances.filters')}>
        <form onSubmit={apply} className="flex flex-wrap items-end gap-3">
          {FIELDS.map((k) => (
            <div key={k} className="flex flex-col gap-1.5">
              <Label htmlFor={`audit-${k}`}>{t(`admin.audit.${k}`)}</Label>
              <Input id={`audit-${k}`} className="w-48" type={k === 'since' || k === 'until' ? 'datetime-local' : 'text'}
                value={form[k] ?? ''} onChange={(e) => setForm({ ...form, [k]: e.target.value })}
                placeholder={t(`admin.audit.hint.${k}`)} data-testid={`audit-${k}`} />
            </div>
          ))}
          <Button type="submit">{t('admin.apply')}</Button>
          <Button type="button" variant="outline" onClick={exportCsv} disabled={exporting} data-testid="audit-export">
            {exporting ? t('admin.audit.exporting') : t('admin.audit.export')}</Button>
        </form>
        <Notice note={note} />
      </Section>
      <LoadError error={q.error} retry={() => q.refetch()} />
      {q.isPending ? <Loading /> : (
        <Section title={t('admin.audit.entries')} testid="adm-audit">
          <Table>
            <TableHeader><TableRow><TableHead>{t('admin.audit.at')}</TableHead><TableHead>{t('admin.audit.actor')}</TableHead>
              <TableHead>{t('admin.audit.action')}</TableHead><TableHead>{t('admin.audit.object')}</TableHead>
              <TableHead>{t('admin.audit.status')}</TableHead><TableHead>{t('admin.audit.from')}</TableHead></TableRow></TableHeader>
            <TableBody>
              {(q.data?.entries ?? []).map((a) => (
                <TableRow key={a.id} data-testid="audit-row">
                  <TableCell className="text-sm whitespace-nowrap">{when(a.at)}</TableCell>
                  <TableCell className="font-mono text-xs">{a.actor_kind}:{a.actor_id ?? '—'}</TableCell>
                  <TableCell className="font-mono text-xs">{a.action}</TableCell>
                  <TableCell className="font-mono text-xs">{a.object_kind ? `${a.object_kind}:` : ''}{a.object_id ?? ''}</TableCell>
                  <TableCell>{a.status ?? ''}</TableCell>
                  <TableCell className="font-mono text-xs">{a.remote_addr ?? ''}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {q.data?.entries.length === 0 && <p className="text-muted-foreground">{t('admin.audit.none')}</p>}
          <div className="flex items-center justify-end gap-2">
            <Button variant="outline" size="sm" disabled={!before} onClick={prev}>{t('admin.newer')}</Button>
            <Button variant="outline" size="sm" disabled={!q.data?.next_before_id} onClick={next} data-testid="audit-next">{t('admin.older')}</Button>
          </div>
        </Section>
      )}
    </div>
  )
}
