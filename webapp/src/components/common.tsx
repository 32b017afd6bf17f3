// Small shared pieces: state badge, provisioning progress, notices of
// actions, load errors, the card a section sits in, a confirmation dialog,
// and useAct (a TanStack mutation that reports its outcome as a notice).
import { type ReactNode, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { type QueryKey, useMutation, useQueryClient } from '@tanstack/react-query'
import { CheckIcon, CircleAlertIcon, LoaderCircleIcon } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import {
  AlertDialog, AlertDialogAction, AlertDialogCancel, AlertDialogContent, AlertDialogDescription,
  AlertDialogFooter, AlertDialogHeader, AlertDialogTitle, AlertDialogTrigger,
} from '@/components/ui/alert-dialog'
import { errText } from '@/lib/format'
import { cn } from '@/lib/utils'

type Variant = 'success' | 'warning' | 'destructive' | 'secondary' | 'info' | 'outline'
const STATE_VARIANT: Record<string, Variant> = {
  active: 'success', failed: 'destructive', suspended: 'warning', terminated: 'outline',
  pending: 'info', creating: 'info', booting: 'info',
}

export function StateBadge({ state, className }: { state: string; className?: string }) {
  const { t } = useTranslation()
  return (
    <Badge variant={STATE_VARIANT[state] ?? 'secondary'} className={className} data-testid="state" data-state={state}>
      {t(`state.${state}`, { defaultValue: state })}
    </Badge>
  )
}

const STEPS = ['pending', 'creating', 'booting', 'active'] as const

/** pending → creating → booting → active, with the current step marked. */
export function Progress({ state }: { state: string }) {
  const { t } = useTranslation()
  const at = STEPS.findIndex((s) => s === state)
  return (
    <ol className="progress flex flex-wrap gap-4" aria-label={t('inst.progress')}>
      {STEPS.map((s, i) => {
        const done = at >= 0 && (i < at || state === 'active')
        const cur = i === at && state !== 'active'
        return (
          <li key={s} className={cn('flex items-center gap-2 text-sm', cur ? 'font-semibold' : done ? '' : 'text-muted-foreground')}
            aria-current={i === at ? 'step' : undefined}>
            <span className={cn('flex size-6 items-center justify-center rounded-full border text-xs',
              done && 'bg-primary text-primary-foreground border-primary', cur && 'border-primary')}>
              {done ? <CheckIcon className="size-3.5" aria-hidden="true" /> : cur ? <LoaderCircleIcon className="size-3.5 animate-spin" aria-hidden="true" /> : i + 1}
            </span>
            <span>{t(`inst.steps.${s}`)}</span>
          </li>
        )
      })}
    </ol>
  )
}

export type Note = { kind: 'ok' | 'error'; text: string } | null

export function Notice({ note }: { note: Note }) {
  if (!note) return null
  return note.kind === 'error'
    ? <Alert variant="destructive" role="alert"><CircleAlertIcon aria-hidden="true" /><AlertDescription>{note.text}</AlertDescription></Alert>
    : <Alert variant="success" role="status"><CheckIcon aria-hidden="true" /><AlertDescription>{note.text}</AlertDescription></Alert>
}

export function LoadError({ error, retry }: { error: unknown; retry?: () => void }) {
  const { t } = useTranslation()
  if (!error) return null
  return (
    <Alert variant="destructive" role="alert">
      <CircleAlertIcon aria-hidden="true" />
      <AlertDescription className="flex flex-wrap items-center gap-2">
        <span>{errText(error)}</span>
        {retry && <Button variant="outline" size="sm" onClick={() => retry()}>{t('app.retry')}</Button>}
      </AlertDescription>
    </Alert>
  )
}

export function Loading() {
  const { t } = useTranslation()
  return <p className="text-muted-foreground py-10 text-center" role="status">{t('app.loading')}</p>
}

export function Section({ title, children, actions, className, testid }:
  { title: ReactNode; children: ReactNode; actions?: ReactNode; className?: string; testid?: string }) {
  return (
    <Card className={className} data-testid={testid}>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
        {actions}
      </CardHeader>
      <CardContent className="flex flex-col gap-3">{children}</CardContent>
    </Card>
  )
}

/** A button that asks first (Radix AlertDialog: focus trapped, Esc cancels). */
export function Confirm({ trigger, title, text, action, onConfirm, destructive = true, disabled, testid }: {
  trigger: ReactNode; title: string; text: ReactNode; action: string; onConfirm: () => void
  destructive?: boolean; disabled?: boolean; testid?: string
}) {
  const { t } = useTranslation()
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild disabled={disabled}>
        <Button variant={destructive ? 'outline' : 'default'} disabled={disabled} data-testid={testid}>{trigger}</Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>{title}</AlertDialogTitle>
          <AlertDialogDescription>{text}</AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>{t('app.cancel')}</AlertDialogCancel>
          <AlertDialogAction className={destructive ? 'bg-destructive hover:bg-destructive/90 text-white' : ''} onClick={onConfirm}>{action}</AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}

/**
 * A mutation whose outcome becomes a notice: `ok` (text, or a function of
 * the variables) on success, the API's message on failure; the queries
 * under `invalidate` are refetched after a success.
 */
export function useAct<V = void, R = unknown>(fn: (v: V) => Promise<R>, opts: {
  ok?: string | ((v: V, r: R) => string); invalidate?: QueryKey[]; onSuccess?: (v: V, r: R) => void
} = {}) {
  const qc = useQueryClient()
  const [note, setNote] = useState<Note>(null)
  const m = useMutation<R, Error, V>({
    mutationFn: fn,
    onMutate: () => setNote(null),
    onSuccess: async (r, v) => {
      const ok = typeof opts.ok === 'function' ? opts.ok(v, r) : opts.ok
      if (ok) setNote({ kind: 'ok', text: ok })
      opts.onSuccess?.(v, r)
      await Promise.all((opts.invalidate ?? []).map((k) => qc.invalidateQueries({ queryKey: k })))
    },
    onError: (e) => setNote({ kind: 'error', text: errText(e) }),
  })
  return { ...m, note, setNote, busy: m.isPending }
}
