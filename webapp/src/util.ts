// Formatting helpers shared by the pages.
import { ApiError } from './api'

export function errText(e: unknown): string {
  if (e instanceof ApiError) return e.message
  if (e instanceof Error) return e.message
  return String(e)
}

export function when(iso?: string | null): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (isNaN(d.getTime())) return iso
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

export function ago(iso?: string | null): string {
  if (!iso) return ''
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000)
  if (isNaN(s)) return ''
  if (s < 60) return 'just now'
  if (s < 3600) return `${Math.floor(s / 60)} min ago`
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`
  return `${Math.floor(s / 86400)} d ago`
}

export function bytes(n?: number | null): string {
  if (n == null) return '—'
  const u = ['B', 'KB', 'MB', 'GB', 'TB']
  let i = 0
  let v = n
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++ }
  return `${v.toFixed(i && v < 10 ? 1 : 0)} ${u[i]}`
}

export const REGIONS: Record<string, string> = {
  'eu-falkenstein': 'Falkenstein, DE',
  'eu-nuremberg': 'Nuremberg, DE',
  'eu-helsinki': 'Helsinki, FI',
  'us-ashburn': 'Ashburn, VA, US',
  'us-hillsboro': 'Hillsboro, OR, US',
  'ap-singapore': 'Singapore',
}

export const STATE_LABEL: Record<string, string> = {
  pending: 'Queued',
  creating: 'Creating server',
  booting: 'Booting',
  active: 'Running',
  suspended: 'Suspended',
  terminating: 'Terminating',
  terminated: 'Terminated',
  failed: 'Needs attention',
}

/** States that change on their own: the instance page polls while in one. */
export const MOVING = new Set(['pending', 'creating', 'booting', 'terminating'])
