// The page every sign-in link opens: /signin#sso=TOKEN (WHMCS "Open
// dashboard") or /signin#magic=TOKEN (the emailed link).  A link alone
// signs nobody in (login CSRF): the token sits in the URL fragment, which
// no server sees or logs, and leaves the address bar at once; the page asks
// whose account the link opens (POST /api/v1/auth/preview, nothing used),
// shows it — and, when another account is signed in here, asks whether to
// switch — and signs in only when the person confirms, with a POST that
// carries the token.  A used, expired or unknown link says so and offers
// a new one.
import { useEffect, useState } from 'react'
import { API, ApiError, LinkKind, LinkPreview, Me } from '../api'
import { navigate } from '../router'
import { errText } from '../util'
import { Login } from './Login'

/** The link in a location hash, or null when it is not one. */
export function parseSignInHash(hash: string): { kind: LinkKind; token: string } | null {
  const m = /^#(sso|magic)=([0-9a-f]{32,256})$/.exec(hash)
  return m ? { kind: m[1] as LinkKind, token: m[2] } : null
}

type State = 'checking' | 'ready' | 'busy' | 'bad' | 'error'

export function SignIn({ me, onSignedIn }: { me: Me | null; onSignedIn: () => Promise<void> }) {
  const [link] = useState(() => parseSignInHash(location.hash))
  const [preview, setPreview] = useState<LinkPreview | null>(null)
  const [state, setState] = useState<State>(link ? 'checking' : 'bad')
  const [error, setError] = useState('')

  useEffect(() => {
    if (location.hash) history.replaceState(null, '', location.pathname)
    if (!link) return
    let live = true
    API.previewLink(link.kind, link.token)
      .then((p) => {
        if (!live) return
        setPreview(p)
        setState('ready')
      })
      .catch((e) => {
        if (!live) return
        if (e instanceof ApiError && e.status === 401) setState('bad')
        else {
          setError(errText(e))
          setState('error')
        }
      })
    return () => {
      live = false
    }
  }, [link])

  const confirm = async () => {
    if (!link) return
    setState('busy')
    try {
      const r = await API.signIn(link.kind, link.token)
      await onSignedIn()
      navigate(r.instance_id ? `/instances/${encodeURIComponent(r.instance_id)}` : '/', true)
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setState('bad')
      else {
        setError(errText(e))
        setState('error')
      }
    }
  }

  if (state === 'checking') return <div className="center muted">Checking your sign-in link…</div>
  if (state === 'bad') {
    return (
      <>
        <div className="card narrow" data-testid="signin-bad">
          <h1>This link does not work</h1>
          <p className="alert error" role="alert">
            The sign-in link is invalid, already used or expired. Links work once, for a short time,
            and asking for a new one ends the older ones.
          </p>
          {me && (
            <p>
              You are still signed in as <strong>{me.email}</strong>.{' '}
              <a href="/" onClick={(e) => { e.preventDefault(); navigate('/', true) }}>Go to your dashboard</a>
            </p>
          )}
        </div>
        {!me && <Login />}
      </>
    )
  }
  const who = preview ? (
    <strong data-testid="signin-account">{preview.email}</strong>
  ) : null
  const what = preview?.account === 'operator' ? 'operator account' : 'customer account'
  return (
    <div className="card narrow login">
      <h1>Sign in</h1>
      {me ? (
        <p className="alert" role="status" data-testid="signin-switch">
          You are signed in as <strong data-testid="signin-current">{me.email}</strong>. This link
          signs in to the {what} {who} instead.
        </p>
      ) : (
        <p>This link signs you in to the {what} {who}.</p>
      )}
      {preview?.instance && <p className="muted">It opens the instance {preview.instance.slug}.</p>}
      <p className="muted">Only continue if you asked for this link yourself.</p>
      {state === 'error' && <p className="alert error" role="alert">{error}</p>}
      <div className="row">
        <button data-testid="signin-confirm" disabled={state === 'busy'} onClick={confirm}>
          {state === 'busy' ? 'Signing in…' : me ? `Switch to ${preview?.email ?? 'this account'}` : `Continue as ${preview?.email ?? ''}`}
        </button>
        {me && (
          <button className="ghost" data-testid="signin-stay" onClick={() => navigate('/', true)}>
            Stay signed in as {me.email}
          </button>
        )}
      </div>
    </div>
  )
}
