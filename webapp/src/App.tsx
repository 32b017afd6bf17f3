// The shell: who is logged in (GET /api/v1/me, query ["me"]), the header
// (admin link, language, theme, logout) and the routes.  Any 401 from any
// call empties ["me"] (lib/query.ts), which shows the login page;
// /signin (where sign-in links land) shows whoever is in.  The admin
// panel is its own chunk, loaded only for /admin/.  An admin's read-only
// view of a customer's dashboard (me.view) shows a banner on every page
// with the way back (POST /api/v1/auth/view/end).
import { lazy, Suspense } from 'react'
import { Link, Route, Routes, useLocation, useNavigate } from 'react-router'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { API, ApiError, type Me } from '@/lib/api'
import { usePrefs, type Theme } from '@/lib/store'
import { LANGUAGES } from '@/i18n'
import { Button } from '@/components/ui/button'
import { NativeSelect } from '@/components/ui/native-select'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { LoadError, Loading } from '@/components/common'
import { Login } from '@/pages/Login'
import { SignIn } from '@/pages/SignIn'
import { InstanceList } from '@/pages/InstanceList'
import { InstancePage } from '@/pages/InstancePage'

const AdminApp = lazy(() => import('@/admin/AdminApp'))

/** ["me"]: the user, or null when not logged in (401). */
export function useMe() {
  return useQuery<Me | null>({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await API.me()
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null
        throw e
      }
    },
    staleTime: 60_000,
  })
}

// The read-only view's banner: whose dashboard, that nothing can change,
// and the end of the view (back to the admin's instance page).
function ViewBanner({ me }: { me: Me }) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const nav = useNavigate()
  const loc = useLocation()
  const end = useMutation({
    mutationFn: API.viewEnd,
    onSettled: () => {
      const m = /^\/instances\/([^/]+)/.exec(loc.pathname)
      qc.clear()
      nav(m ? `/admin/instances/${m[1]}` : '/admin/', { replace: true })
    },
  })
  return (
    <div role="status" data-testid="view-banner"
      className="flex flex-wrap items-center justify-center gap-3 border-b border-amber-300 bg-amber-100 px-6 py-2 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-50">
      <span><strong>{t('app.view.title')}</strong> {t('app.view.text', { email: me.email, admin: me.view?.admin_email ?? '' })}</span>
      <Button size="sm" variant="outline" disabled={end.isPending} onClick={() => end.mutate()} data-testid="view-end">{t('app.view.end')}</Button>
    </div>
  )
}

function Prefs() {
  const { t, i18n } = useTranslation()
  const theme = usePrefs((s) => s.theme)
  const setTheme = usePrefs((s) => s.setTheme)
  return (
    <>
      <NativeSelect aria-label={t('app.language')} value={i18n.language} data-testid="language"
        onChange={(e) => i18n.changeLanguage(e.target.value)} className="h-8">
        {LANGUAGES.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </NativeSelect>
      <NativeSelect aria-label={t('app.theme')} value={theme} data-testid="theme"
        onChange={(e) => setTheme(e.target.value as Theme)} className="h-8">
        <option value="system">{t('app.themeSystem')}</option>
        <option value="light">{t('app.themeLight')}</option>
        <option value="dark">{t('app.themeDark')}</option>
      </NativeSelect>
    </>
  )
}

export function App() {
  const { t } = useTranslation()
  const me = useMe()
  const qc = useQueryClient()
  const nav = useNavigate()
  const loc = useLocation()
  const inAdmin = loc.pathname.startsWith('/admin')

  const logout = async (all = false) => {
    try {
      await (all ? API.logoutAll() : API.logout())
    } catch {
      /* the session may already be gone */
    }
    qc.clear()
    qc.setQueryData(['me'], null)
    nav('/', { replace: true })
  }

  let page
  if (me.isPending) {
    page = <Loading />
  } else if (me.isError) {
    page = (
      <Card className="mx-auto mt-12 max-w-md">
        <CardHeader><CardTitle>{t('app.cannotLoad')}</CardTitle></CardHeader>
        <CardContent><LoadError error={me.error} retry={() => me.refetch()} /></CardContent>
      </Card>
    )
  } else if (loc.pathname === '/signin') {
    page = <SignIn me={me.data} />
  } else if (!me.data) {
    page = <Login />
  } else {
    const user = me.data
    page = (
      <Routes>
        <Route path="/" element={<InstanceList me={user} />} />
        <Route path="/login" element={<InstanceList me={user} />} />
        <Route path="/instances" element={<InstanceList me={user} />} />
        <Route path="/instances/:id" element={<InstancePage />} />
        <Route path="/admin/*" element={<Suspense fallback={<Loading />}><AdminApp me={user} /></Suspense>} />
        <Route path="*" element={
          <Card className="mx-auto mt-12 max-w-md">
            <CardHeader><CardTitle>{t('app.notFound')}</CardTitle></CardHeader>
            <CardContent><Link to="/">{t('app.backHome')}</Link></CardContent>
          </Card>} />
      </Routes>
    )
  }

  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2">{t('app.skip')}</a>
      {me.data?.view && <ViewBanner me={me.data} />}
      <header className="bg-card flex min-h-12 flex-wrap items-center justify-between gap-3 border-b px-6 py-2">
        <div className="flex items-center gap-4">
          <Link to={inAdmin ? '/admin/' : '/'} className="text-foreground flex items-center gap-2 font-semibold hover:no-underline">
            <img src="/favicon.svg" alt="" width={24} height={24} />
            <span>{t('app.name')}{inAdmin ? ' · admin' : ''}</span>
          </Link>
          {me.data?.role === 'admin' && (
            inAdmin ? <Link to="/" className="text-sm">{t('app.dashboard')}</Link>
              : <Link to="/admin/" className="text-sm" data-testid="admin-link">{t('app.admin')}</Link>
          )}
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <Prefs />
          {me.data && (
            <>
              <span className="text-muted-foreground text-sm" data-testid="user-email">{me.data.email}</span>
              <Button variant="ghost" size="sm" onClick={() => logout()}>{t('app.logout')}</Button>
              {!me.data.view && <Button variant="ghost" size="sm" onClick={() => logout(true)} data-testid="logout-all"
                title={t('app.logoutAllTitle')}>{t('app.logoutAll')}</Button>}
            </>
          )}
        </div>
      </header>
      <main id="main" className={inAdmin ? 'mx-auto max-w-7xl p-6' : 'mx-auto max-w-5xl p-6'}>{page}</main>
    </div>
  )
}
