// AI provider keys: write-only; the list shows the provider and the key's
// last four characters only.
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useQuery } from '@tanstack/react-query'
import { API } from '@/lib/api'
import { when } from '@/lib/format'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { NativeSelect } from '@/components/ui/native-select'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { LoadError, Notice, Section, useAct } from '@/components/common'

export function AiKeys({ id }: { id: string }) {
  const { t } = useTranslation()
  const list = useQuery({ queryKey: ['ai-keys', id], queryFn: () => API.aiKeys(id) })
  // the providers the instance's plan allows, in the server's order and
  // with its names (schema ai_providers/plan_providers): the one list the
  // API also checks a key against
  const providers = list.data?.providers ?? []
  const label = (p: string) => providers.find((v) => v.provider === p)?.display_name ?? p
  const [picked, setProvider] = useState('')
  const [key, setKey] = useState('')
  const name = picked || (providers[0]?.provider ?? '')
  const inv = { invalidate: [['ai-keys', id]] }
  const save = useAct((v: { p: string; k: string }) => API.putAiKey(id, v.p, v.k),
    { ...inv, ok: (v) => t('keys.saved', { name: label(v.p) }), onSuccess: () => setKey('') })
  const remove = useAct((p: string) => API.deleteAiKey(id, p), { ...inv, ok: (p) => t('keys.removed', { name: label(p) }) })

  const submit = (e: FormEvent) => {
    e.preventDefault()
    save.mutate({ p: name, k: key.trim() })
  }
  const keys = list.data?.ai_keys ?? []
  return (
    <>
      <Section title={t('keys.title')}>
        <p className="text-muted-foreground text-sm">{t('keys.intro')}</p>
        <LoadError error={list.error} retry={() => list.refetch()} />
        <Notice note={remove.note} />
        {keys.length === 0 && !list.isPending ? <p className="text-muted-foreground">{t('keys.empty')}</p> : (
          <Table data-testid="ai-keys">
            <TableHeader><TableRow><TableHead>{t('keys.provider')}</TableHead><TableHead>{t('keys.key')}</TableHead>
              <TableHead>{t('keys.updated')}</TableHead><TableHead><span className="sr-only">{t('app.remove')}</span></TableHead></TableRow></TableHeader>
            <TableBody>
              {keys.map((k) => (
                <TableRow key={k.provider} data-testid={`ai-key-${k.provider}`}>
                  <TableCell>{label(k.provider)}</TableCell>
                  <TableCell className="font-mono">{k.last4 ? `••••${k.last4}` : t('keys.set')}</TableCell>
                  <TableCell className="text-muted-foreground">{when(k.updated_at)}</TableCell>
                  <TableCell className="text-right">
                    <Button variant="ghost" size="sm" disabled={remove.busy} onClick={() => remove.mutate(k.provider)}
                      aria-label={`${t('app.remove')} ${label(k.provider)}`}>{t('app.remove')}</Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>
      <Section title={t('keys.add')}>
        <form className="grid items-end gap-3 sm:grid-cols-[auto_1fr_auto]" onSubmit={submit}>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="ai-provider">{t('keys.provider')}</Label>
            <NativeSelect id="ai-provider" value={name} onChange={(e) => setProvider(e.target.value)} data-testid="ai-provider">
              {providers.map((v) => <option key={v.provider} value={v.provider}>{v.display_name}</option>)}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="ai-key">{t('keys.apiKey')}</Label>
            <Input id="ai-key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)}
              placeholder="sk-…" required minLength={8} data-testid="ai-key-input" />
          </div>
          <Button type="submit" disabled={save.busy || !key.trim() || !name}>{save.busy ? t('keys.saving') : t('keys.save')}</Button>
        </form>
        <Notice note={save.note} />
      </Section>
    </>
  )
}
