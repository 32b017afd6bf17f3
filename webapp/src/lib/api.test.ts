import { describe, expect, it, vi } from 'vitest'
import { api, ApiError, onUnauthorized, parseError, readCookie } from './api'

interface Seen {
  url: string
  init: RequestInit
}

function fakeFetch(status: number, body: string, seen: Seen[] = []) {
  return vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    seen.push({ url: String(url), init: init ?? {} })
    return new Response(status === 204 ? null : body, {
      status,
      headers: { 'Content-Type': 'application/json' },
    })
  }) as unknown as typeof fetch
}

const hdr = (s: Seen) => (s.init.headers ?? {}) as Record<string, string>

describe('readCookie', () => {
  it('finds a cookie among others', () => {
    expect(readCookie('__Host-och_csrf', 'a=1; __Host-och_csrf=abc123; b=2')).toBe('abc123')
  })
  it('does not match a prefix of another name', () => {
    expect(readCookie('__Host-och_csrf', 'x__Host-och_csrf=no; __Host-och_csrf_old=no')).toBeNull()
  })
  it('decodes percent-encoding', () => {
    expect(readCookie('t', 't=a%2Bb')).toBe('a+b')
  })
  it('is null when absent or empty input', () => {
    expect(readCookie('__Host-och_csrf', '')).toBeNull()
  })
})

describe('CSRF header', () => {
  for (const m of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    it(`is sent on ${m} from the __Host-och_csrf cookie`, async () => {
      const seen: Seen[] = []
      await api(m, '/api/v1/x', m === 'DELETE' ? undefined : { a: 1 }, {
        fetch: fakeFetch(204, '', seen),
        cookies: '__Host-och_session=zzz; __Host-och_csrf=tok-42',
      })
      expect(hdr(seen[0])['X-CSRF-Token']).toBe('tok-42')
      expect(seen[0].init.method).toBe(m)
      expect(seen[0].init.credentials).toBe('same-origin')
    })
  }
  it('is not sent on GET', async () => {
    const seen: Seen[] = []
    await api('GET', '/api/v1/me', undefined, { fetch: fakeFetch(200, '{"id":1}', seen), cookies: '__Host-och_csrf=tok' })
    expect(hdr(seen[0])['X-CSRF-Token']).toBeUndefined()
  })
  it('is left out when there is no cookie', async () => {
    const seen: Seen[] = []
    await api('POST', '/api/v1/auth/magic-link', { email: 'a@b.c' }, { fetch: fakeFetch(202, '', seen), cookies: '' })
    expect(hdr(seen[0])['X-CSRF-Token']).toBeUndefined()
  })
  it('sends JSON bodies with a content type', async () => {
    const seen: Seen[] = []
    await api('PUT', '/p', { key: 'sk-1234' }, { fetch: fakeFetch(204, '', seen), cookies: '__Host-och_csrf=t' })
    expect(hdr(seen[0])['Content-Type']).toBe('application/json')
    expect(seen[0].init.body).toBe('{"key":"sk-1234"}')
  })
})

describe('responses', () => {
  it('parses JSON on success', async () => {
    const r = await api<{ id: number }>('GET', '/x', undefined, { fetch: fakeFetch(200, '{"id":7}') })
    expect(r.id).toBe(7)
  })
  it('returns undefined on 204', async () => {
    expect(await api('DELETE', '/x', undefined, { fetch: fakeFetch(204, ''), cookies: '' })).toBeUndefined()
  })
})

describe('error parsing', () => {
  it('takes code and message from the API error shape', async () => {
    const body = '{"error":{"code":"unprocessable","message":"the plan allows 3 channels"}}'
    const p = api('PUT', '/x', {}, { fetch: fakeFetch(422, body), cookies: '' })
    await expect(p).rejects.toBeInstanceOf(ApiError)
    await expect(api('PUT', '/x', {}, { fetch: fakeFetch(422, body), cookies: '' })).rejects.toMatchObject({
      status: 422, code: 'unprocessable', message: 'the plan allows 3 channels',
    })
  })
  it('falls back to a status text for a non-JSON body', () => {
    const e = parseError(502, '<html>Bad Gateway</html>')
    expect(e.status).toBe(502)
    expect(e.code).toBe('upstream_error')
    expect(e.message).toMatch(/provider/)
  })
  it('falls back when the JSON is not the error shape', () => {
    const e = parseError(404, '{"message":"nope"}')
    expect(e.code).toBe('not_found')
    expect(e.message).toBe('Not found.')
  })
  it('keeps a code with a missing message', () => {
    const e = parseError(409, '{"error":{"code":"conflict"}}')
    expect(e.code).toBe('conflict')
    expect(e.message).toBe('That is not possible right now.')
  })
  it('maps a network failure to status 0', async () => {
    const f = vi.fn(async () => { throw new TypeError('Failed to fetch') }) as unknown as typeof fetch
    await expect(api('GET', '/x', undefined, { fetch: f })).rejects.toMatchObject({ status: 0, code: 'network' })
  })
  it('tells listeners about a 401', async () => {
    let n = 0
    const off = onUnauthorized(() => { n++ })
    const body = '{"error":{"code":"unauthorized","message":"unauthorized"}}'
    await expect(api('GET', '/api/v1/me', undefined, { fetch: fakeFetch(401, body) })).rejects.toMatchObject({ status: 401 })
    expect(n).toBe(1)
    await expect(api('GET', '/x', undefined, { fetch: fakeFetch(403, '{}') })).rejects.toMatchObject({ status: 403 })
    expect(n).toBe(1)
    off()
    await expect(api('GET', '/x', undefined, { fetch: fakeFetch(401, body) })).rejects.toMatchObject({ status: 401 })
    expect(n).toBe(1)
  })
})

describe('sign-in links', () => {
  it('are read from the URL fragment', async () => {
    const { parseSignInHash } = await import('./signin')
    expect(parseSignInHash('#sso=' + 'a'.repeat(64))).toEqual({ kind: 'sso', token: 'a'.repeat(64) })
    expect(parseSignInHash('#magic=' + '0f'.repeat(32))).toEqual({ kind: 'magic', token: '0f'.repeat(32) })
    expect(parseSignInHash('#magic=short')).toBeNull()
    expect(parseSignInHash('#other=' + 'a'.repeat(64))).toBeNull()
    expect(parseSignInHash('')).toBeNull()
  })
  it('a refused link (401) does not sign the app out', async () => {
    let told = 0
    const off = onUnauthorized(() => { told++ })
    await expect(api('POST', '/api/v1/auth/preview', { kind: 'sso', token: 'x' },
      { fetch: fakeFetch(401, '{"error":{"code":"unauthorized","message":"this link is invalid"}}', []), quiet401: true }))
      .rejects.toThrow('this link is invalid')
    expect(told).toBe(0)
    off()
  })
})
