// The shell: who is logged in (GET /api/v1/me), the header with logout,
// and which page the path asks for.  Any 401 from any call shows the
// login page; /signin (where sign-in links land) shows whoever is in.
import { useCallback, useEffect, useState } from 'react'
import { API, ApiError, Me, onUnauthorized } from './api'
import { linkClick, navigate, usePath } from './router'
import { errText } from './util'
import { Login } from './pages/Login'
import { SignIn } from './pages/SignIn'
import { InstanceList } from './pages/InstanceList'
import { InstancePage } from './pages/InstancePage'

type Status = 'loading' | 'in' | 'out' | 'error'

export function App() {
  const path = usePath()
  const [me, setMe] = useState<Me | null>(null)
  const [status, setStatus] = useState<Status>('loading')
  const [error, setError] = useState('')

  const load = useCallback(async () => {
    try {
      const m = await API.me()
      setMe(m)
      setStatus('in')
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        setMe(null)
        setStatus('out')
      } else {
        setError(errText(e))
        setStatus('error')
      }
    }
  }, [])

  useEffect(() => {
    load()
    return onUnauthorized(() => {
      setMe(null)
      setStatus('out')
    })
  }, [load])

  const logout = async () => {
    try {
      await API.logout()
    } catch {
      /* the session may already be gone */
    }
    setMe(null)
    setStatus('out')
    navigate('/', true)
  }

  const logoutAll = async () => {
    try {
      await API.logoutAll()
    } catch {
      /* the session may already be gone */
    }
    setMe(null)
    setStatus('out')
    navigate('/', true)
  }

  let page
  const m = path.match(/^\/instances\/([^/]+)\/?$/)
  if (status === 'loading') {
    page = <div className="center muted">Loading…</div>
  } else if (status === 'error') {
    page = (
      <div className="card narrow">
        <h2>Cannot load the dashboard</h2>
        <p className="alert error" role="alert">{error}</p>
        <button onClick={() => { setStatus('loading'); load() }}>Try again</button>
      </div>
    )
  } else if (path === '/signin') {
    page = <SignIn me={status === 'in' ? me : null} onSignedIn={load} />
  } else if (status === 'out' || !me) {
    page = <Login />
  } else if (path === '/' || path === '/login' || path === '/instances') {
    page = <InstanceList me={me} />
  } else if (m) {
    page = <InstancePage id={decodeURIComponent(m[1])} key={m[1]} />
  } else {
    page = (
      <div className="card narrow">
        <h2>Page not found</h2>
        <p><a href="/" onClick={linkClick('/')}>Back to your instances</a></p>
      </div>
    )
  }

  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="/" onClick={linkClick('/')}>
          <img src="/favicon.svg" alt="" width={24} height={24} />
          <span>openclawhost</span>
        </a>
        {me && (
          <div className="who">
            <span className="muted" data-testid="user-email">{me.email}</span>
            <button className="ghost small" onClick={logout}>Log out</button>
            <button className="ghost small" onClick={logoutAll} data-testid="logout-all"
              title="End every session of this account, on every device">Log out everywhere</button>
          </div>
        )}
      </header>
      <main>{page}</main>
    </div>
  )
}
