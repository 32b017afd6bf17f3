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
import { Trans, useTranslation } from 'react-i18next'
import { Link, useNavigate } from 'react-router'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { API, ApiError, type Me } from '@/lib/api'
import { parseSignInHash } from '@/lib/signin'
import { Button } from '@/components/ui/button'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Card, CardContent, CardHeader } from '@/components/ui/card'
import { LoadError, Loading } from '@/components/common'
import { Login } from './Login'

const bad = (e: unknown) => e instanceof ApiError && e.status === 401

export function SignIn({ me }: { me: Me | null }) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const nav = useNavigate()
  const [link] = useState(() => parseSignInHash(location.hash))
  useEffect(() => {
    if (location.hash) history.replaceState(null, '', location.pathname)
  }, [])
  const preview = useQuery({
    queryKey: ['signin-preview', link?.kind, link?.token], enabled: !!link, retry: false,
    staleTime: Infinity, gcTime: 0, refetchOnWindowFocus: false,
    queryFn: () => API.previewLink(link!.kind, link!.token),
  })
  const signIn = useMutation({
    mutationFn: () => API.signIn(link!.kind, link!.token),
    onSuccess: async (r) => {
      // another account's data must not stay in the cache
      const m = await API.me()
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' && q.queryKey[0] !== 'signin-preview' })
      qc.setQueryData(['me'], m)
      nav(r.instance_id ? `/instances/${encodeURIComponent(r.instance_id)}` : '/', { replace: true })
    },
  })

  if (!link || bad(preview.error) || bad(signIn.error)) {
    return (
      <div className="flex flex-col gap-4">
        <Card className="mx-auto mt-12 w-full max-w-md" data-testid="signin-bad">
          <CardHeader><h1>{t('signin.badTitle')}</h1></CardHeader>
          <CardContent className="flex flex-col gap-3">
            <Alert variant="destructive" role="alert"><AlertDescription>{t('signin.badText')}</AlertDescription></Alert>
            {me && <p><Trans i18nKey="signin.stillIn" values={{ email: me.email }} components={{ strong: <strong /> }} />{' '}
              <Link to="/" replace>{t('signin.toDashboard')}</Link></p>}
          </CardContent>
        </Card>
        {!me && <Login />}
      </div>
    )
  }
  if (preview.isPending) return <Loading />
  const p = preview.data
  const account = p?.account === 'operator' ? t('signin.operator') : t('signin.customer')
  const who = <strong data-testid="signin-account">{p?.email}</strong>
  return (
    <Card className="mx-auto mt-12 max-w-md">
      <CardHeader><h1>{t('signin.title')}</h1></CardHeader>
      <CardContent className="flex flex-col gap-3">
        {me ? (
          <Alert role="status" data-testid="signin-switch"><AlertDescription><p>
            <Trans i18nKey="signin.switchText" values={{ account }}
              components={{ current: <strong data-testid="signin-current">{me.email}</strong>, who }} />
          </p></AlertDescription></Alert>
        ) : (
          <p><Trans i18nKey="signin.text" values={{ account }} components={{ who }} /></p>
        )}
        {p?.instance && <p className="text-muted-foreground text-sm">{t('signin.opens', { slug: p.instance.slug })}</p>}
        <p className="text-muted-foreground text-sm">{t('signin.only')}</p>
        <LoadError error={preview.error ?? signIn.error} />
        <div className="flex flex-wrap gap-2">
          <Button data-testid="signin-confirm" disabled={signIn.isPending || !p} onClick={() => signIn.mutate()}>
            {signIn.isPending ? t('signin.busy') : me ? t('signin.switch', { email: p?.email ?? '' }) : t('signin.continue', { email: p?.email ?? '' })}
          </Button>
          {me && <Button variant="outline" data-testid="signin-stay" onClick={() => nav('/', { replace: true })}>
            {t('signin.stay', { email: me.email })}</Button>}
        </div>
      </CardContent>
    </Card>
  )
}
