// Users: search by email, id or WHMCS client id; filter by role;
// promote and demote with a confirmation (the API refuses to demote the
// last admin, and says so).
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import type { Me } from '@/lib/api'
import { ago, when } from '@/lib/format'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { NativeSelect } from '@/components/ui/native-select'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { Confirm, LoadError, Loading, Notice, Section, useAct } from '@/components/common'
import { ADMIN } from './api'

const PAGE = 50

export function Users({ me }: { me: Me }) {
  const { t } = useTranslation()
  const [q, setQ] = useState('')
  const [f, setF] = useState<{ q?: string; role?: string; offset: number }>({ offset: 0 })
  const list = useQuery({ queryKey: ['admin', 'users', f], queryFn: () => ADMIN.users({ ...f, limit: PAGE }), placeholderData: keepPreviousData })
  const role = useAct((v: { id: number; email: string; role: 'admin' | 'customer' }) => ADMIN.setRole(v.id, v.role), {
    invalidate: [['admin', 'users']], ok: (v) => t(v.role === 'admin' ? 'admin.users.promoted' : 'admin.users.demoted', { email: v.email }),
  })
  const search = (e: FormEvent) => { e.preventDefault(); setF({ ...f, q: q.trim() || undefined, offset: 0 }) }
  const total = list.data?.total ?? 0
  return (
    <div className="flex flex-col gap-4">
      <h1>{t('admin.users.title')}</h1>
      <Section title={t('admin.instances.filters')}>
        <form onSubmit={search} className="flex flex-wrap items-end gap-3" role="search">
          <div className="flex min-w-64 flex-1 flex-col gap-1.5">
            <Label htmlFor="users-q">{t('admin.instances.search')}</Label>
            <Input id="users-q" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('admin.users.searchHint')} data-testid="users-q" />
          </div>
          <Button type="submit">{t('admin.instances.searchButton')}</Button>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="users-role">{t('admin.users.role')}</Label>
            <NativeSelect id="users-role" value={f.role ?? ''} onChange={(e) => setF({ ...f, role: e.target.value || undefined, offset: 0 })}>
              <option value="">{t('admin.all')}</option><option value="admin">admin</option><option value="customer">customer</option>
            </NativeSelect>
          </div>
        </form>
      </Section>
      <Notice note={role.note} />
      <LoadError error={list.error} retry={() => list.refetch()} />
      {list.isPending ? <Loading /> : (
        <Section title={t('admin.users.count', { count: total })} testid="adm-users">
          <Table>
            <TableHeader><TableRow><TableHead>{t('admin.users.email')}</TableHead><TableHead>{t('admin.users.role')}</TableHead>
              <TableHead>WHMCS</TableHead><TableHead>{t('admin.instances.title')}</TableHead><TableHead>{t('admin.users.lastLogin')}</TableHead>
              <TableHead>{t('admin.instances.created')}</TableHead><TableHead><span className="sr-only">{t('admin.users.role')}</span></TableHead></TableRow></TableHeader>
            <TableBody>
              {(list.data?.users ?? []).map((u) => {
                const to = u.role === 'admin' ? 'customer' : 'admin'
                return (
                  <TableRow key={u.id} data-testid={`user-${u.email}`}>
                    <TableCell>{u.email} <span className="text-muted-foreground text-xs">#{u.id}</span>{u.id === me.id && <Badge variant="outline" className="ml-1">{t('admin.users.you')}</Badge>}</TableCell>
                    <TableCell><Badge variant={u.role === 'admin' ? 'info' : 'secondary'}>{u.role}</Badge></TableCell>
                    <TableCell>{u.whmcs_client_id ?? '—'}</TableCell>
                    <TableCell>{u.instances}</TableCell>
                    <TableCell className="text-sm" title={when(u.last_login_at)}>{ago(u.last_login_at) || '—'}</TableCell>
                    <TableCell className="text-sm">{when(u.created_at)}</TableCell>
                    <TableCell className="text-right">
                      <Confirm trigger={t(to === 'admin' ? 'admin.users.promote' : 'admin.users.demote')}
                        title={t(to === 'admin' ? 'admin.users.promoteTitle' : 'admin.users.demoteTitle', { email: u.email })}
                        text={t(to === 'admin' ? 'admin.users.promoteText' : 'admin.users.demoteText')}
                        action={t(to === 'admin' ? 'admin.users.promote' : 'admin.users.demote')} destructive={to === 'customer'}
                        disabled={role.busy} onConfirm={() => role.mutate({ id: u.id, email: u.email, role: to })} testid={`role-${u.id}`} />
                    </TableCell>
                  </TableRow>
                )
              })}
            </TableBody>
          </Table>
          <div className="flex items-center justify-end gap-2">
            <Button variant="outline" size="sm" disabled={f.offset === 0} onClick={() => setF({ ...f, offset: Math.max(0, f.offset - PAGE) })}>{t('admin.prev')}</Button>
            <Button variant="outline" size="sm" disabled={f.offset + PAGE >= total} onClick={() => setF({ ...f, offset: f.offset + PAGE })}>{t('admin.next')}</Button>
          </div>
        </Section>
      )}
    </div>
  )
}
