// AI provider keys: write-only; the list shows the provider and the key's
// last four characters only.
import { FormEvent, useState } from 'react'
import { API } from '../api'
import { when } from '../util'
import { LoadError, Notice, Section, useAction, useLoad } from './parts'

const PROVIDERS = [
  ['anthropic', 'Anthropic (Claude)'],
  ['openai', 'OpenAI'],
  ['google', 'Google (Gemini)'],
  ['openrouter', 'OpenRouter'],
  ['mistral', 'Mistral'],
  ['groq', 'Groq'],
  ['xai', 'xAI (Grok)'],
  ['deepseek', 'DeepSeek'],
]

export function AiKeys({ id }: { id: string }) {
  const list = useLoad(() => API.aiKeys(id), [id])
  const act = useAction()
  const [provider, setProvider] = useState('anthropic')
  const [other, setOther] = useState('')
  const [key, setKey] = useState('')
  const name = provider === 'other' ? other.trim().toLowerCase() : provider
  const label = (p: string) => PROVIDERS.find(([v]) => v === p)?.[1] ?? p

  const save = async (e: FormEvent) => {
    e.preventDefault()
    if (await act.run(() => API.putAiKey(id, name, key.trim()), `Key for ${label(name)} saved; your instance picks it up within seconds.`)) {
      setKey('')
      list.reload()
    }
  }
  const remove = async (p: string) => {
    if (await act.run(() => API.deleteAiKey(id, p), `Key for ${label(p)} removed.`)) list.reload()
  }

  const keys = list.data?.ai_keys ?? []
  return (
    <>
      <Section title="AI provider keys">
        <p className="muted">Keys are encrypted at rest and only ever sent to your own instance. After saving, a key cannot be shown again.</p>
        <LoadError error={list.error} retry={list.reload} />
        {keys.length === 0 && !list.loading ? <p className="muted">No keys yet.</p> : (
          <table className="table" data-testid="ai-keys">
            <thead><tr><th>Provider</th><th>Key</th><th>Updated</th><th /></tr></thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.provider} data-testid={`ai-key-${k.provider}`}>
                  <td>{label(k.provider)}</td>
                  <td className="mono">{k.last4 ? `••••${k.last4}` : 'set'}</td>
                  <td className="muted">{when(k.updated_at)}</td>
                  <td className="right"><button className="ghost small" disabled={act.busy} onClick={() => remove(k.provider)}>Remove</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Add or replace a key">
        <form className="form-grid" onSubmit={save}>
          <label>
            Provider
            <select value={provider} onChange={(e) => setProvider(e.target.value)} data-testid="ai-provider">
              {PROVIDERS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
              <option value="other">Other…</option>
            </select>
          </label>
          {provider === 'other' && (
            <label>
              Provider name
              <input value={other} onChange={(e) => setOther(e.target.value)} placeholder="e.g. together" pattern="[a-z][a-z0-9_\-]{1,31}" required />
            </label>
          )}
          <label>
            API key
            <input type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)}
              placeholder="sk-…" required minLength={8} data-testid="ai-key-input" />
          </label>
          <div><button type="submit" disabled={act.busy || !key.trim() || !name}>Save key</button></div>
        </form>
        <Notice note={act.note} />
      </Section>
    </>
  )
}
