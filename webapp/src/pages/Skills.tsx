// Skills from the catalogue, switched on and off per instance.  The switch
// moves at once (optimistic update of ["skills", id]) and snaps back, with
// the API's message (e.g. the plan's limit), when the API says no.
import { useTranslation } from 'react-i18next'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { API, type Skill } from '@/lib/api'
import { Switch } from '@/components/ui/switch'
import { LoadError, Notice, Section, useAct } from '@/components/common'
import { SkillOnServer } from './FirstHour'

type List = { skills: Skill[] }

export function Skills({ id }: { id: string }) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const key = ['skills', id]
  const list = useQuery({ queryKey: key, queryFn: () => API.skills(id) })
  const set = (name: string, on: boolean) =>
    qc.setQueryData<List>(key, (d) => d && { skills: d.skills.map((s) => (s.name === name ? { ...s, enabled: on } : s)) })
  const toggle = useAct(async (v: { s: Skill; on: boolean }) => {
    set(v.s.name, v.on)
    try {
      return await (v.on ? API.putSkill(id, v.s.name, true) : API.deleteSkill(id, v.s.name))
    } catch (e) {
      set(v.s.name, !v.on)
      throw e
    }
  }, {
    invalidate: [key],
    ok: (v) => t(v.on ? 'skills.on' : 'skills.off', { name: v.s.display_name || v.s.name }),
  })
  const skills = list.data?.skills ?? []
  const n = skills.filter((s) => s.enabled).length
  return (
    <Section title={t('skills.title')} actions={<span className="text-muted-foreground text-sm">{t('skills.enabledCount', { count: n })}</span>}>
      <LoadError error={list.error} retry={() => list.refetch()} />
      <Notice note={toggle.note} />
      {skills.length === 0 && !list.isPending ? <p className="text-muted-foreground">{t('skills.empty')}</p> : (
        <ul className="skills divide-y">
          {skills.map((s) => (
            <li key={s.name} data-testid={`skill-${s.name}`} className="flex items-center justify-between gap-4 py-3">
              <div>
                <strong>{s.display_name || s.name}</strong> <span className="text-muted-foreground font-mono text-xs">{s.name}</span>
                <div className="text-muted-foreground text-sm">{s.description}</div>
                <SkillOnServer id={id} slug={s.slug} enabled={s.enabled} />
              </div>
              <Switch checked={s.enabled} disabled={toggle.busy} aria-label={t('skills.toggle', { name: s.display_name || s.name })}
                onCheckedChange={(on) => toggle.mutate({ s, on })} />
            </li>
          ))}
        </ul>
      )}
    </Section>
  )
}
