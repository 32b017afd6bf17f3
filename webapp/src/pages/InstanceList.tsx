// The customer's instances (from GET /api/v1/me).
import { Link } from 'react-router'
import { useTranslation } from 'react-i18next'
import type { Me } from '@/lib/api'
import { Card, CardContent } from '@/components/ui/card'
import { StateBadge } from '@/components/common'
import { useRegionName } from './regions'

export function InstanceList({ me }: { me: Me }) {
  const { t } = useTranslation()
  const region = useRegionName()
  const list = me.instances.filter((i) => i.state !== 'terminated')
  return (
    <div className="flex flex-col gap-4">
      <h1>{t('list.title')}</h1>
      {list.length === 0 ? (
        <Card><CardContent><p>{t('list.empty')}</p></CardContent></Card>
      ) : (
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {list.map((i) => (
            <Link key={i.id} to={`/instances/${i.id}`} data-testid="instance-card"
              className="bg-card text-card-foreground hover:border-primary focus-visible:ring-ring/50 flex flex-col gap-2 rounded-xl border p-5 shadow-sm hover:no-underline focus-visible:ring-[3px]">
              <div className="flex items-center justify-between gap-2">
                <strong className="font-mono">{i.slug}</strong>
                <StateBadge state={i.state} />
              </div>
              <div className="text-muted-foreground text-sm">{i.hostname}</div>
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 text-sm">
                <dt className="text-muted-foreground">{t('list.plan')}</dt><dd>{i.plan}</dd>
                <dt className="text-muted-foreground">{t('list.region')}</dt><dd>{region(i.region)}</dd>
              </dl>
            </Link>
          ))}
        </div>
      )}
    </div>
  )
}
