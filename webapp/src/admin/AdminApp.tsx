// The operators' panel under /admin/ (WHMCS's AdminSingleSignOn and
// AdminLink open it).  Loaded as its own chunk; a customer who opens it is
// told so instead of seeing pages that would all answer 403.
import { NavLink, Route, Routes } from 'react-router'
import { useTranslation } from 'react-i18next'
import type { Me } from '@/lib/api'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { cn } from '@/lib/utils'
import { Dashboard } from './Dashboard'
import { Instances } from './Instances'
import { InstanceDetail } from './InstanceDetail'
import { Provisioning } from './Provisioning'
import { WhmcsSync } from './WhmcsSync'
import { Audit } from './Audit'
import { Catalogue } from './Catalogue'
import { Users } from './Users'
import { Skills } from './Skills'
import { Pool } from './Pool'

const NAV = [
  ['', 'dashboard'], ['instances', 'instances'], ['provisioning', 'provisioning'], ['whmcs', 'whmcs'],
  ['pool', 'pool'], ['audit', 'audit'], ['plans', 'plans'], ['users', 'users'], ['skills', 'skills'],
] as const

export default function AdminApp({ me }: { me: Me }) {
  const { t } = useTranslation()
  if (me.role !== 'admin') {
    return <Alert variant="destructive" role="alert"><AlertDescription>{t('error.forbidden')}</AlertDescription></Alert>
  }
  return (
    <div className="grid gap-6 md:grid-cols-[11rem_1fr]">
      <nav aria-label={t('admin.nav')} className="flex flex-row flex-wrap gap-1 md:flex-col">
        {NAV.map(([path, key]) => (
          <NavLink key={key} to={`/admin/${path}`} end={path === ''} data-testid={`nav-${key}`}
            className={({ isActive }) => cn('rounded-md px-3 py-1.5 text-sm hover:no-underline',
              isActive ? 'bg-primary text-primary-foreground' : 'text-foreground hover:bg-accent')}>
            {t(`admin.${key}.title`)}
          </NavLink>
        ))}
      </nav>
      <div className="min-w-0">
        <Routes>
          <Route index element={<Dashboard />} />
          <Route path="instances" element={<Instances />} />
          <Route path="instances/:id" element={<InstanceDetail />} />
          <Route path="provisioning" element={<Provisioning />} />
          <Route path="whmcs" element={<WhmcsSync />} />
          <Route path="pool" element={<Pool />} />
          <Route path="audit" element={<Audit />} />
          <Route path="plans" element={<Catalogue />} />
          <Route path="users" element={<Users me={me} />} />
          <Route path="skills" element={<Skills />} />
          <Route path="*" element={<p>{t('app.notFound')}</p>} />
        </Routes>
      </div>
    </div>
  )
}
