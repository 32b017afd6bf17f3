// The skills catalogue customers pick from: add, edit, retire (a retired
// skill is no longer offered; instances that have it keep it).
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useQuery } from '@tanstack/react-query'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Textarea } from '@/components/ui/textarea'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { Confirm, LoadError, Loading, Notice, Section, useAct } from '@/components/common'
import { ADMIN2, type AdminSkill } from './api'

const KEY = ['admin', 'skills']

function SkillDialog({ skill, onClose }: { skill: AdminSkill | null; onClose: () => void }) {
  const { t } = useTranslation()
  const [v, setV] = useState({
    name: skill?.name ?? '', slug: skill?.slug ?? '', version: skill?.version ?? '',
    display_name: skill?.display_name ?? '', description: skill?.description ?? '',
  })
  const save = useAct((body: Partial<AdminSkill>) => ADMIN2.putSkill(v.name.trim(), body),
    { invalidate: [KEY], ok: t('admin.skills.saved', { name: v.name }), onSuccess: onClose })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    save.mutate({ slug: v.slug.trim(), version: v.version.trim(), display_name: v.display_name.trim(), description: v.description.trim() })
  }
  const input = (k: 'name' | 'slug' | 'version' | 'display_name', extra: Record<string, unknown> = {}) => (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={`skill-${k}`}>{t(`admin.skills.f.${k}`)}</Label>
      <Input id={`skill-${k}`} value={v[k]} onChange={(e) => setV({ ...v, [k]: e.target.value })} {...extra} />
    </div>
  )
  return (
    <Dialog open onOpenChange={(o) => { if (!o) onClose() }}>
      <DialogContent closeLabel={t('app.close')}>
        <form onSubmit={submit} className="flex flex-col gap-4" data-testid="skill-form">
          <DialogHeader>
            <DialogTitle>{skill ? t('admin.skills.edit', { name: skill.name }) : t('admin.skills.new')}</DialogTitle>
            <DialogDescription>{t('admin.skills.hint')}</DialogDescription>
          </DialogHeader>
          {!skill && input('name', { required: true, pattern: '[a-z0-9][a-z0-9\\-]{0,63}', placeholder: 'web-search' })}
          {input('display_name', { required: true })}
          {input('slug', { required: true, pattern: '@[a-z0-9][a-z0-9\\-]{0,63}/[a-z0-9][a-z0-9\\-]{0,63}', placeholder: '@openclaw/web-search' })}
          {input('version', { pattern: '[0-9A-Za-z.+\\-]{0,32}', placeholder: '1.2.0' })}
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="skill-description">{t('admin.skills.f.description')}</Label>
            <Textarea id="skill-description" value={v.description} onChange={(e) => setV({ ...v, description: e.target.value })} maxLength={500} />
          </div>
          <Notice note={save.note} />
          <DialogFooter>
            <Button type="button" variant="outline" onClick={onClose}>{t('app.cancel')}</Button>
            <Button type="submit" disabled={save.busy}>{t('app.save')}</Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}

export function Skills() {
  const { t } = useTranslation()
  const q = useQuery({ queryKey: KEY, queryFn: ADMIN2.skills })
  const [edit, setEdit] = useState<{ skill: AdminSkill | null } | null>(null)
  const retire = useAct((v: { s: AdminSkill; active: boolean }) => ADMIN2.putSkill(v.s.name, { active: v.active }),
    { invalidate: [KEY], ok: (v) => t(v.active ? 'admin.skills.restored' : 'admin.skills.retired', { name: v.s.name }) })
  return (
    <div className="flex flex-col gap-4">
      <h1>{t('admin.skills.title')}</h1>
      <LoadError error={q.error} retry={() => q.refetch()} />
      <Notice note={retire.note} />
      <Section title={t('admin.skills.catalogue')} testid="adm-skills"
        actions={<Button onClick={() => setEdit({ skill: null })} data-testid="skill-new">{t('admin.skills.new')}</Button>}>
        {q.isPending ? <Loading /> : (
          <Table>
            <TableHeader><TableRow><TableHead>{t('admin.skills.f.display_name')}</TableHead><TableHead>{t('admin.skills.f.slug')}</TableHead>
              <TableHead>{t('admin.skills.f.version')}</TableHead><TableHead>{t('admin.plans.instances')}</TableHead><TableHead><span className="sr-only">{t('channels.edit')}</span></TableHead></TableRow></TableHeader>
            <TableBody>
              {(q.data?.skills ?? []).map((s) => (
                <TableRow key={s.name} data-testid={`adm-skill-${s.name}`}>
                  <TableCell><strong>{s.display_name}</strong> <span className="text-muted-foreground font-mono text-xs">{s.name}</span>
                    {!s.active && <Badge variant="outline" className="ml-1">{t('admin.skills.retiredBadge')}</Badge>}
                    <div className="text-muted-foreground text-sm">{s.description}</div></TableCell>
                  <TableCell className="font-mono text-xs">{s.slug}</TableCell>
                  <TableCell className="font-mono text-xs">{s.version || '—'}</TableCell>
                  <TableCell>{s.instances}</TableCell>
                  <TableCell className="text-right whitespace-nowrap">
                    <Button variant="outline" size="sm" className="mr-2" onClick={() => setEdit({ skill: s })} aria-label={t('admin.skills.edit', { name: s.name })}>{t('channels.edit')}</Button>
                    {s.active
                      ? <Confirm trigger={t('admin.skills.retire')} title={t('admin.skills.retireTitle', { name: s.name })} text={t('admin.skills.retireText')}
                          action={t('admin.skills.retire')} disabled={retire.busy} onConfirm={() => retire.mutate({ s, active: false })} testid={`retire-${s.name}`} />
                      : <Button variant="outline" disabled={retire.busy} onClick={() => retire.mutate({ s, active: true })}>{t('admin.skills.restore')}</Button>}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>
      {edit && <SkillDialog key={edit.skill?.name ?? '+'} skill={edit.skill} onClose={() => setEdit(null)} />}
    </div>
  )
}
