// The admin API (admin.fcgi, docs/api.md): shapes and calls.  Every call
// needs an admin session; the server audits each one.
import { api, type InstanceEvent } from '@/lib/api'
import type { AdminInstance, AdminPool, AuditPage, InstancePage, Stats, ViewOpened } from '@/generated/api'

// the answers' shapes are generated from docs/api-types.json
export type { AdminInstance, AdminPool, AuditEntry, AuditPage, HetznerBudget, InstancePage, PoolTarget, Stats } from '@/generated/api'

const enc = encodeURIComponent
const A = '/api/v1/admin'

/** A query string of the non-empty values. */
export function qs(p: Record<string, string | number | undefined | null>): string {
  const s = new URLSearchParams()
  for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== null && v !== '') s.set(k, String(v))
  const t = s.toString()
  return t ? `?${t}` : ''
}

export interface AdminInstanceDetail extends AdminInstance {
  locked_until: string | null
  locked_by: string | null
  dns_record_id: string | null
  dns_record6_id: string | null
  cleanup: boolean
  config_revision: number
  ready_at: string | null
  terminated_at: string | null
  user_id: number
  events: (InstanceEvent & { id: number; actor: string | null })[]
  agent_report: {
    reported_at: string; version: string | null; config_revision: number | null; config_error: string | null
    health: unknown; channels: unknown; pairing_requests: number | null
  } | null
  pending_commands: { id: number; type: string; args: unknown; status: string; created_by: string | null; created_at: string; started_at: string | null }[]
  outbox: {
    email: { id: number; template: string; to: string; status: string; attempts: number; last_error: string | null; created_at: string; sent_at: string | null }[]
    webhook: { id: number; command: string; status: string; attempts: number; last_error: string | null; created_at: string; sent_at: string | null }[]
  }
}

export interface QueueRow {
  id: string; slug: string; state: string; desired_state: string; plan: string; pending_plan: string | null
  pending_action: string | null; attempts: number; next_attempt_at: string; locked_until: string | null
  locked_by: string | null; last_error: string | null; updated_at: string; whmcs_service_id: number | null; due: boolean
}
export interface FailedRow {
  id: string; slug: string; failed_state: string | null; desired_state: string; plan: string; attempts: number
  last_error: string | null; cleanup: boolean; updated_at: string; whmcs_service_id: number | null
}
export interface OutboxStats { pending: number; failed: number; due: number; oldest_pending_age_s: number | null }
export interface Queue {
  queue: QueueRow[]; failed: FailedRow[]
  outbox: { email: OutboxStats; webhook: OutboxStats }
  pollers: { mode: string; host: string; pid: number; age_s: number }[]
}

export interface AdminPlan {
  name: string; display_name: string; server_type: string; image: string | null; vcpus: number; memory_mb: number
  disk_gb: number; max_channels: number; max_skills: number; backup_slots: number; price_cents: number
  openclaw_version: string | null; sort: number; active: boolean; instances: number
}

export interface AdminUser {
  id: number; email: string; role: string; whmcs_client_id: number | null; created_at: string
  instances: number; last_login_at: string | null
}
export interface UserPage { users: AdminUser[]; total: number; limit: number; offset: number }

export interface Drift {
  id: string; slug: string; whmcs_service_id: number; state: string; desired_state: string
  expected_whmcs_status: string | null; whmcs_status: string | null; whmcs_status_at: string | null
  whmcs_status_source: string | null; failed_updates: number; stuck_updates: number; reasons: string[]
}

export interface InstanceFilter {
  q?: string; state?: string; plan?: string; region?: string; version?: string
  sort?: string; dir?: string; limit?: number; offset?: number
  /** keyset: the page after this instance (offset then only numbers it) */
  after?: string
}
export interface AuditFilter {
  actor?: string; action?: string; object_id?: string; since?: string; until?: string; limit?: number; before_id?: number
}

export type Command = 'restart' | 'doctor_fix' | 'update'
export type Action = 'retry' | 'suspend' | 'unsuspend' | 'terminate' | 'rebuild'

export const ADMIN = {
  instances: (f: InstanceFilter) => api<InstancePage>('GET', `${A}/instances${qs({ ...f })}`),
  instance: (id: string) => api<AdminInstanceDetail>('GET', `${A}/instances/${enc(id)}`),
  action: (id: string, a: Action) => api<AdminInstance>('POST', `${A}/instances/${enc(id)}/${a}`),
  view: (id: string) => api<ViewOpened>('POST', `${A}/instances/${enc(id)}/view`),
  command: (id: string, type: Command, args?: Record<string, string>) =>
    api<{ id: number; status: string }>('POST', `${A}/instances/${enc(id)}/commands`, args ? { type, args } : { type }),
  queue: () => api<Queue>('GET', `${A}/queue`),
  audit: (f: AuditFilter) => api<AuditPage>('GET', `${A}/audit${qs({ ...f })}`),
  plans: () => api<{ plans: AdminPlan[] }>('GET', `${A}/plans`),
  putPlan: (name: string, body: Partial<AdminPlan>) => api<AdminPlan>('PUT', `${A}/plans/${enc(name)}`, body),
  users: (f: { q?: string; role?: string; limit?: number; offset?: number }) => api<UserPage>('GET', `${A}/users${qs(f)}`),
  setRole: (id: number, role: 'admin' | 'customer') =>
    api<{ id: number; email: string; role: string; previous_role: string }>('POST', `${A}/users/${id}/role`, { role }),
  drift: () => api<{ drift: Drift[] }>('GET', `${A}/whmcs-sync`),
}

export interface AdminSkill {
  name: string; slug: string; version: string; display_name: string; description: string; active: boolean; instances: number
}

export interface Alert {
  id: number; condition: string; title: string; severity: 'warning' | 'critical'; audience: string
  subject: string | null; instance_id: string | null; hostname: string | null; detail: unknown
  opened_at: string; resolved_at: string | null; state: 'open' | 'resolved'
}

export const ADMIN2 = {
  openAlerts: () => api<{ alerts: Alert[] }>('GET', `${A}/alerts?state=open&limit=100`),
  stats: () => api<Stats>('GET', `${A}/stats`),
  skills: () => api<{ skills: AdminSkill[] }>('GET', `${A}/skills`),
  putSkill: (name: string, body: Partial<AdminSkill>) => api<AdminSkill>('PUT', `${A}/skills/${enc(name)}`, body),
  pool: () => api<AdminPool>('GET', `${A}/pool`),
  putPool: (body: object) => api<AdminPool>('PUT', `${A}/pool`, body),
}
