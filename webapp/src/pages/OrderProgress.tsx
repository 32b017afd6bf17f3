// The order's way to a working gateway (GET /instances/{id}/progress):
// each step (server, DNS, configured, certificate, gateway ready) with the
// seconds since the order, polled every 2 s until the gateway is ready.
// Shown while it sets up and for the first hour after, then it folds away.
import { useQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { API, type OrderProgress as Progress } from '@/lib/api'
import { Section } from '@/components/common'

const HOUR = 3600

function seconds(s: number | null): string {
  if (s === null) return ''
  return s < 100 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`
}

export function OrderProgress({ id }: { id: string }) {
  const { t } = useTranslation()
  const q = useQuery({
    queryKey: ['progress', id],
    queryFn: () => API.progress(id),
    refetchInterval: (q) => (q.state.data?.done ? false : 2000),
  })
  const p: Progress | undefined = q.data
  if (!p || (p.done && p.elapsed_s > HOUR && Date.now() - Date.parse(p.ordered_at) > 2 * HOUR * 1000)) return null
  const next = p.steps.findIndex((s) => s.at === null)
  return (
    <Section testid="order-progress"
      title={p.done ? t('progress.done', { time: seconds(p.elapsed_s) }) : t('progress.title')}>
      <ol className="flex flex-col gap-1 text-sm" aria-live="polite">
        {p.steps.map((s, n) => (
          <li key={s.step} data-step={s.step} data-done={s.at !== null}
            className="grid grid-cols-[1.5rem_1fr_auto] items-center gap-2">
            <span aria-hidden="true">{s.at !== null ? '✓' : n === next ? '…' : '·'}</span>
            <span className={s.at !== null ? '' : 'text-muted-foreground'}>
              {t(`progress.step.${s.step}`, { defaultValue: s.step })}
              {s.step === 'server' && s.at !== null && p.warm ? ` (${t('progress.warm')})` : ''}
              {n === next ? <span className="sr-only"> {t('progress.inProgress')}</span> : null}
            </span>
            <span className="text-muted-foreground tabular-nums">{seconds(s.elapsed_s)}</span>
          </li>
        ))}
      </ol>
      {!p.done && <p className="text-muted-foreground text-sm">{t('progress.elapsed', { time: seconds(p.elapsed_s) })}</p>}
    </Section>
  )
}
