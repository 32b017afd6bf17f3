// Small shared pieces: state badge, provisioning progress, a loader hook,
// and a notice line for results of actions.
import { ReactNode, useCallback, useEffect, useRef, useState } from 'react'
import { ApiError } from '../api'
import { errText, STATE_LABEL } from '../util'

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge state-${state}`} data-testid="state">{STATE_LABEL[state] ?? state}</span>
}

const STEPS = [
  ['pending', 'Order received'],
  ['creating', 'Creating server'],
  ['booting', 'Installing OpenClaw'],
  ['active', 'Ready'],
] as const

/** pending → creating → booting → active, with the current step marked. */
export function Progress({ state }: { state: string }) {
  const at = STEPS.findIndex(([s]) => s === state)
  return (
    <ol className="progress" aria-label="Provisioning progress">
      {STEPS.map(([s, label], i) => {
        const cls = at < 0 ? '' : i < at || state === 'active' ? 'done' : i === at ? 'current' : ''
        return (
          <li key={s} className={cls} aria-current={i === at ? 'step' : undefined}>
            <span className="dot">{cls === 'done' ? '✓' : i + 1}</span>
            <span>{label}</span>
          </li>
        )
      })}
    </ol>
  )
}

export interface Loaded<T> {
  data: T | undefined
  error: ApiError | Error | null
  loading: boolean
  reload: () => Promise<void>
}

/** Load once (and on reload()); keeps the last data while reloading. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T>()
  const [error, setError] = useState<ApiError | Error | null>(null)
  const [loading, setLoading] = useState(true)
  const alive = useRef(true)
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(fn, deps)
  const reload = useCallback(async () => {
    setLoading(true)
    try {
      const d = await run()
      if (!alive.current) return
      setData(d)
      setError(null)
    } catch (e) {
      if (alive.current) setError(e instanceof Error ? e : new Error(String(e)))
    } finally {
      if (alive.current) setLoading(false)
    }
  }, [run])
  useEffect(() => {
    alive.current = true
    reload()
    return () => { alive.current = false }
  }, [reload])
  return { data, error, loading, reload }
}

export type Note = { kind: 'ok' | 'error'; text: string } | null

export function Notice({ note }: { note: Note }) {
  if (!note) return null
  return <p className={`alert ${note.kind}`} role={note.kind === 'error' ? 'alert' : 'status'}>{note.text}</p>
}

/** Run an action, report its outcome as a Note. */
export function useAction() {
  const [busy, setBusy] = useState(false)
  const [note, setNote] = useState<Note>(null)
  const run = async (fn: () => Promise<unknown>, ok?: string): Promise<boolean> => {
    setBusy(true)
    setNote(null)
    try {
      await fn()
      if (ok) setNote({ kind: 'ok', text: ok })
      return true
    } catch (e) {
      setNote({ kind: 'error', text: errText(e) })
      return false
    } finally {
      setBusy(false)
    }
  }
  return { busy, note, setNote, run }
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card">
      <div className="row between">
        <h2>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  )
}

export function LoadError({ error, retry }: { error: Error | null; retry?: () => void }) {
  if (!error) return null
  return (
    <p className="alert error" role="alert">
      {errText(error)} {retry && <button className="ghost small" onClick={retry}>Retry</button>}
    </p>
  )
}
