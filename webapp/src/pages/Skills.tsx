// Skills from the catalog, switched on and off per instance (plan limit
// enforced by the API, its message shown).
import { useState } from 'react'
import { API } from '../api'
import { LoadError, Notice, Section, useAction, useLoad } from './parts'

export function Skills({ id }: { id: string }) {
  const list = useLoad(() => API.skills(id), [id])
  const act = useAction()
  // the switch moves at once; it snaps back when the API says no
  const [want, setWant] = useState<Record<string, boolean>>({})
  const toggle = async (name: string, label: string, on: boolean) => {
    setWant({ ...want, [name]: on })
    const ok = await act.run(() => (on ? API.putSkill(id, name, true) : API.deleteSkill(id, name)),
      on ? `${label} enabled; it is installed on your instance shortly.` : `${label} removed.`)
    if (ok) await list.reload()
    setWant((w) => { const c = { ...w }; delete c[name]; return c })
  }
  const skills = list.data?.skills ?? []
  const n = skills.filter((s) => s.enabled).length
  return (
    <Section title="Skills" actions={<span className="muted small">{n} enabled</span>}>
      <LoadError error={list.error} retry={list.reload} />
      <Notice note={act.note} />
      {skills.length === 0 && !list.loading ? <p className="muted">The catalog is empty.</p> : (
        <ul className="skills">
          {skills.map((s) => (
            <li key={s.name} data-testid={`skill-${s.name}`}>
              <div>
                <strong>{s.display_name || s.name}</strong> <span className="muted small mono">{s.name}</span>
                <div className="muted small">{s.description}</div>
              </div>
              <label className="switch">
                <input type="checkbox" checked={want[s.name] ?? s.enabled} disabled={act.busy}
                  onChange={(e) => toggle(s.name, s.display_name || s.name, e.target.checked)} />
                <span>{want[s.name] ?? s.enabled ? 'On' : 'Off'}</span>
              </label>
            </li>
          ))}
        </ul>
      )}
    </Section>
  )
}
