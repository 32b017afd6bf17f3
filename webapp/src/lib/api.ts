// The dashboard's only way to the control plane: same-origin JSON calls
// under /api with the session cookie (__Host-och_session, HttpOnly) and, on
// unsafe methods, X-CSRF-Token taken from the readable CSRF_COOKIE.  Every
// failure becomes an ApiError carrying the API's {"error":{code,message}};
// a 401 also tells the app (onUnauthorized) so it shows the login page.
import type { Instance as ApiInstance, Me, ViewEnded } from '@/generated/api'

export class ApiError extends Error {
  status: number
  code: string
  constructor(status: number, code: string, message: string) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** The readable CSRF cookie: AUTH_COOKIE_CSRF of lib/auth.h (t/800 checks they agree). */
export const CSRF_COOKIE = '__Host-och_csrf'

/** Value of one cookie from a document.cookie string, or null. */
export function readCookie(name: string, cookies?: string): string | null {
  const all = cookies ?? (typeof document !== 'undefined' ? document.cookie : '')
  for (const part of all.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim()
      try {
        return decodeURIComponent(v)
      } catch {
        return v
      }
    }
  }
  return null
}

/** Fallback texts when a body is not the API's error shape (a proxy page, a dropped connection). */
function statusText(status: number): [string, string] {
  switch (status) {
    case 400: return ['invalid_input', 'The request was not accepted.']
    case 401: return ['unauthorized', 'Please log in again.']
    case 403: return ['forbidden', 'You are not allowed to do that.']
    case 404: return ['not_found', 'Not found.']
    case 409: return ['conflict', 'That is not possible right now.']
    case 413: return ['payload_too_large', 'That is too large.']
    case 422: return ['unprocessable', 'That value is not acceptable.']
    case 429: return ['rate_limited', 'Too many requests; wait a moment and try again.']
    case 502: return ['upstream_error', 'A provider failed; try again shortly.']
    case 503: return ['unavailable', 'The service is temporarily unavailable; try again shortly.']
    default:
      return status >= 500
        ? ['internal_error', 'Something went wrong on our side.']
        : ['error', `Request failed (${status}).`]
  }
}

/** Turn a failed response's status and body text into an ApiError. */
export function parseError(status: number, text: string): ApiError {
  let code: string | undefined
  let message: string | undefined
  try {
    const j = JSON.parse(text)
    const e = j && typeof j === 'object' ? j.error : undefined
    if (e && typeof e === 'object') {
      if (typeof e.code === 'string') code = e.code
      if (typeof e.message === 'string' && e.message !== '') message = e.message
    }
  } catch {
    /* not JSON */
  }
  const [dcode, dmsg] = statusText(status)
  return new ApiError(status, code ?? dcode, message ?? dmsg)
}

type Listener = () => void
let unauthorized: Listener[] = []

/** Call fn whenever the API answers 401; returns the unsubscribe function. */
export function onUnauthorized(fn: Listener): () => void {
  unauthorized.push(fn)
  return () => {
    unauthorized = unauthorized.filter((f) => f !== fn)
  }
}

export interface RequestOptions {
  fetch?: typeof fetch
  cookies?: string
  signal?: AbortSignal
  /** a 401 is this call's own answer (a bad sign-in link), not "signed out" */
  quiet401?: boolean
}

/**
 * One API call.  Resolves with the parsed JSON body (undefined for 204 or
 * an empty body); rejects with ApiError (status 0 when the network failed).
 */
export async function api<T = unknown>(method: string, path: string, body?: unknown,
  opts: RequestOptions = {}): Promise<T> {
  const m = method.toUpperCase()
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (UNSAFE.has(m)) {
    const csrf = readCookie(CSRF_COOKIE, opts.cookies)
    if (csrf) headers['X-CSRF-Token'] = csrf
  }
  const f = opts.fetch ?? globalThis.fetch
  let res: Response
  try {
    res = await f(path, {
      method: m,
      headers,
      body: body !== undefined ? JSON.stringify(body) : undefined,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: opts.signal,
    })
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e
    throw new ApiError(0, 'network', 'Cannot reach the server; check your connection.')
  }
  const text = await res.text()
  if (!res.ok) {
    const err = parseError(res.status, text)
    if (res.status === 401 && !opts.quiet401) unauthorized.forEach((fn) => fn())
    throw err
  }
  if (res.status === 204 || text === '') return undefined as T
  try {
    return JSON.parse(text) as T
  } catch {
    throw new ApiError(res.status, 'bad_response', 'The server sent an unreadable answer.')
  }
}

// --- the shapes the dashboard uses (docs/api.md) ---

export interface InstanceEvent {
  kind: string
  from?: string
  to?: string
  message?: string
  at: string
}

/** An instance (docs/api-types.json); GET /instances/{id} adds its events. */
export type Instance = ApiInstance & { events?: InstanceEvent[] }

export interface Region {
  name: string
  location: string
  display_name: string
}

export interface Plan {
  name: string
  display_name: string
  server_type: string
  vcpus: number
  memory_mb: number
  disk_gb: number
  max_channels: number
  max_skills: number
  backup_slots: number
  price_cents: number
}

export type { Me } from '@/generated/api'

/** Whose account a sign-in link opens (POST /api/v1/auth/preview). */
export interface LinkPreview {
  email: string
  role: string
  account: 'customer' | 'operator'
  instance?: { id: string; slug: string }
}

export type LinkKind = 'sso' | 'magic'

export interface Channel {
  kind: string
  enabled: boolean
  dm_policy: string
  allow_from: string[]
  secret_set: boolean
  updated_at: string
}

export interface AiKey {
  provider: string
  last4?: string
  updated_at: string
}

export interface AiProvider {
  provider: string
  display_name: string
}

export interface Skill {
  name: string
  display_name: string
  description: string
  enabled: boolean
  slug?: string
}

/** GET /instances/{id}/status: what the server itself last said. */
export interface ServerStatus {
  state: string
  phase: string
  error: string | null
  retry_allowed: boolean
  setup: { ok?: boolean; step?: string; error?: string } | null
  tls: { mode?: string; error?: string } | null
  health: { live?: boolean | null; ready?: boolean | null; failing?: string[] } | null
  openclaw_version: string | null
  config_revision: number
  applied_revision: number | null
  config_error: string | null
  channels: { kind: string; account: string; state: string; error: string | null }[]
  skills: { installed?: { slug: string; version?: string }[]; errors?: string[] } | null
  devices: { request_id: string; name?: string; created_at?: number | string | null }[] | null
  /** available: what the instance's OpenClaw offers (null until its agent reported it) */
  model: { primary: string | null; fallbacks: string[]; available?: string[] | null }
  reported_at: string | null
  report_age_seconds: number | null
  warnings: { code: string; message: string }[]
}

/** GET /instances/{id}/progress: the order's steps with their times. */
export interface OrderProgress {
  ordered_at: string
  elapsed_s: number
  done: boolean
  warm: boolean
  steps: { step: string; at: string | null; elapsed_s: number | null }[]
}

export interface CommandState {
  id: string
  kind: string
  status: string
  outcome?: string
  qr?: string | null
  error: string | null
  created_at: string
  finished_at: string | null
}

export interface PairingRequest {
  channel: string
  code: string
  sender?: string | null
  account?: string | null
  created_at?: string
}

export interface Backup {
  id: number
  kind: string
  status: string
  name?: string
  size_bytes?: number
  created_at: string
}

export interface AgentBackup {
  command_id: string
  status: string
  result?: unknown
  created_at: string
}

/** A restore of an agent backup (GET …/backups: restores). */
export interface Restore {
  command_id: string
  backup_id: number
  status: string
  error?: string
  created_at: string
}

export interface BackupList {
  backups: Backup[]
  agent_backups: AgentBackup[]
  restores: Restore[]
  snapshot_slots: number
}

export interface MetricPoint {
  t: number
  v: number
  min?: number
  max?: number
}

export interface Metrics {
  instance_id: string
  range: string
  resolution: 'raw' | 'hour'
  series: Record<string, MetricPoint[]>
}

export interface AiUsageRow {
  day: string
  provider: string
  model: string
  input_tokens: number
  output_tokens: number
  cost_usd: number
}

export interface AiUsage {
  instance_id: string
  days: number
  usage: AiUsageRow[]
  totals: { input_tokens: number; output_tokens: number; cost_usd: number }
}

const enc = encodeURIComponent
const inst = (id: string) => `/api/v1/instances/${enc(id)}`

export const API = {
  me: () => api<Me>('GET', '/api/v1/me'),
  regions: () => api<{ regions: Region[] }>('GET', '/api/v1/regions'),
  plans: () => api<{ plans: Plan[] }>('GET', '/api/v1/plans'),
  magicLink: (email: string) => api<void>('POST', '/api/v1/auth/magic-link', { email }),
  logout: () => api<void>('POST', '/api/v1/auth/logout'),
  logoutAll: () => api<void>('POST', '/api/v1/auth/logout-all'),
  viewEnd: () => api<ViewEnded>('POST', '/api/v1/auth/view/end'),
  previewLink: (kind: LinkKind, token: string) =>
    api<LinkPreview>('POST', '/api/v1/auth/preview', { kind, token }, { quiet401: true }),
  signIn: (kind: LinkKind, token: string) =>
    api<{ user_id: number; csrf_token: string; instance_id?: string }>('POST',
      kind === 'sso' ? '/api/v1/auth/sso' : '/api/v1/auth/verify', { token }, { quiet401: true }),
  instance: (id: string) => api<Instance>('GET', inst(id)),
  reboot: (id: string) => api<unknown>('POST', `${inst(id)}/reboot`),
  channels: (id: string) => api<{ channels: Channel[] }>('GET', `${inst(id)}/channels`),
  putChannel: (id: string, kind: string, body: unknown) =>
    api<void>('PUT', `${inst(id)}/channels/${enc(kind)}`, body),
  deleteChannel: (id: string, kind: string) => api<void>('DELETE', `${inst(id)}/channels/${enc(kind)}`),
  aiKeys: (id: string) => api<{ ai_keys: AiKey[]; providers: AiProvider[] }>('GET', `${inst(id)}/ai-keys`),
  putAiKey: (id: string, provider: string, key: string) =>
    api<void>('PUT', `${inst(id)}/ai-keys/${enc(provider)}`, { key }),
  deleteAiKey: (id: string, provider: string) => api<void>('DELETE', `${inst(id)}/ai-keys/${enc(provider)}`),
  skills: (id: string) => api<{ skills: Skill[] }>('GET', `${inst(id)}/skills`),
  putSkill: (id: string, name: string, enabled: boolean) =>
    api<void>('PUT', `${inst(id)}/skills/${enc(name)}`, { enabled }),
  deleteSkill: (id: string, name: string) => api<void>('DELETE', `${inst(id)}/skills/${enc(name)}`),
  pairing: (id: string) => api<{ requests: PairingRequest[] | null; reported_at?: string }>('GET', `${inst(id)}/pairing`),
  approvePairing: (id: string, channel: string, code: string) =>
    api<{ command_id: string }>('POST', `${inst(id)}/pairing/approve`, { channel, code }),
  backups: (id: string) => api<BackupList>('GET', `${inst(id)}/backups`),
  createBackup: (id: string) => api<{ command_id: string }>('POST', `${inst(id)}/backups`),
  /** confirm: the instance's hostname, as the person typed it */
  restoreBackup: (id: string, backup: number, confirm: string) =>
    api<{ command_id?: string; rebuild?: boolean; backup_id?: number }>('POST',
      `${inst(id)}/backups/${backup}/restore`, { confirm }),
  snapshot: (id: string) => api<{ backup_id: number }>('POST', `${inst(id)}/backups/snapshot`),
  metrics: (id: string, range: string, series: string[]) =>
    api<Metrics>('GET', `${inst(id)}/metrics?range=${enc(range)}&series=${series.map(enc).join(',')}`),
  aiUsage: (id: string, days: number) => api<AiUsage>('GET', `${inst(id)}/ai-usage?days=${days}`),
  status: (id: string) => api<ServerStatus>('GET', `${inst(id)}/status`),
  progress: (id: string) => api<OrderProgress>('GET', `${inst(id)}/progress`),
  retry: (id: string) => api<{ state: string }>('POST', `${inst(id)}/retry`),
  putModel: (id: string, primary: string | null, fallbacks: string[]) =>
    api<void>('PUT', `${inst(id)}/model`, { primary, fallbacks }),
  revealToken: (id: string) => api<{ token: string; control_ui_url: string }>('POST', `${inst(id)}/gateway-token`),
  rotateToken: (id: string) => api<{ rotated: boolean }>('POST', `${inst(id)}/gateway-token/rotate`),
  approveDevice: (id: string, requestId: string) =>
    api<{ command_id: string }>('POST', `${inst(id)}/devices/approve`, { request_id: requestId }),
  whatsappLogin: (id: string) => api<{ command_id: string }>('POST', `${inst(id)}/whatsapp/login`),
  command: (id: string, cid: string) => api<CommandState>('GET', `${inst(id)}/commands/${enc(cid)}`),
}
