// Formatting shared by the pages, in the language the user picked.
import i18n from '@/i18n'
import { ApiError } from './api'

const lang = () => i18n.language || 'en'

/** The message to show for a failed call (the API's own message when it sent one). */
export function errText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return i18n.t('error.network')
    return e.message
  }
  if (e instanceof Error) return e.message
  return String(e)
}

export function when(iso?: string | null): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (isNaN(d.getTime())) return iso
  return d.toLocaleString(lang(), { dateStyle: 'medium', timeStyle: 'short' })
}

export function ago(iso?: string | null): string {
  if (!iso) return ''
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000)
  if (isNaN(s)) return ''
  const rtf = new Intl.RelativeTimeFormat(lang(), { numeric: 'auto' })
  if (s < 60) return i18n.t('time.justNow')
  if (s < 3600) return rtf.format(-Math.floor(s / 60), 'minute')
  if (s < 86400) return rtf.format(-Math.floor(s / 3600), 'hour')
  return rtf.format(-Math.floor(s / 86400), 'day')
}

export function seconds(s?: number | null): string {
  if (s == null) return '—'
  if (s < 90) return `${Math.round(s)} s`
  if (s < 5400) return `${Math.round(s / 60)} min`
  if (s < 172800) return `${Math.round(s / 3600)} h`
  return `${Math.round(s / 86400)} d`
}

export function bytes(n?: number | null): string {
  if (n == null) return '—'
  const u = ['B', 'KB', 'MB', 'GB', 'TB']
  let i = 0
  let v = n
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++ }
  return `${v.toLocaleString(lang(), { maximumFractionDigits: i && v < 10 ? 1 : 0 })} ${u[i]}`
}

export const num = (v: number) => v.toLocaleString(lang())
export const usd = (v: number) =>
  v.toLocaleString(lang(), { style: 'currency', currency: 'USD', maximumFractionDigits: v > 0 && v < 1 ? 4 : 2 })
export const eur = (cents: number) =>
  (cents / 100).toLocaleString(lang(), { style: 'currency', currency: 'EUR' })

/** States that change on their own: pages poll while an instance is in one. */
export const MOVING = new Set(['pending', 'creating', 'booting', 'suspending', 'resuming', 'resizing',
  'rebooting', 'rebuilding', 'terminating'])
