// Login by magic link: the API always answers 202 (it never says whether
// the address is known), so the page always says "check your inbox".
import { FormEvent, useState } from 'react'
import { API } from '../api'
import { errText } from '../util'

export function Login() {
  const [email, setEmail] = useState('')
  const [busy, setBusy] = useState(false)
  const [sent, setSent] = useState('')
  const [error, setError] = useState('')

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setError('')
    setBusy(true)
    try {
      await API.magicLink(email.trim())
      setSent(email.trim())
    } catch (err) {
      setError(errText(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="card narrow login">
      <h1>Log in</h1>
      {sent ? (
        <>
          <p className="alert ok" role="status">
            If <strong>{sent}</strong> belongs to an account, a login link is on its way.
            It works once and expires in 15 minutes.
          </p>
          <button className="ghost" onClick={() => { setSent(''); setEmail('') }}>Use another address</button>
        </>
      ) : (
        <form onSubmit={submit}>
          <p className="muted">
            Enter the email address of your account and we will send you a login link.
            You can also open the dashboard from your client area.
          </p>
          <label>
            Email
            <input type="email" required autoComplete="email" value={email}
              onChange={(e) => setEmail(e.target.value)} placeholder="you@example.com" />
          </label>
          {error && <p className="alert error" role="alert">{error}</p>}
          <button type="submit" disabled={busy || !email.trim()}>{busy ? 'Sending…' : 'Email me a login link'}</button>
        </form>
      )}
    </div>
  )
}
