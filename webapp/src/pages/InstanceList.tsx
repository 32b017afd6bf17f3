// The customer's instances (from GET /api/v1/me).
import { Me } from '../api'
import { linkClick } from '../router'
import { REGIONS, STATE_LABEL } from '../util'
import { StateBadge } from './parts'

export function InstanceList({ me }: { me: Me }) {
  const list = me.instances.filter((i) => i.state !== 'terminated')
  return (
    <div>
      <h1>Your instances</h1>
      {list.length === 0 ? (
        <div className="card">
          <p>You have no OpenClaw instance yet. Order one from your client area; it is ready about a minute after payment.</p>
        </div>
      ) : (
        <div className="grid">
          {list.map((i) => (
            <a key={i.id} className="card instance-card" href={`/instances/${i.id}`}
              onClick={linkClick(`/instances/${i.id}`)} data-testid="instance-card">
              <div className="row between">
                <strong className="mono">{i.slug}</strong>
                <StateBadge state={i.state} />
              </div>
              <div className="muted">{i.hostname}</div>
              <div className="kv small">
                <span>Plan</span><span>{i.plan}</span>
                <span>Region</span><span>{REGIONS[i.region] ?? i.region}</span>
                <span>Status</span><span>{STATE_LABEL[i.state] ?? i.state}</span>
              </div>
            </a>
          ))}
        </div>
      )}
    </div>
  )
}
