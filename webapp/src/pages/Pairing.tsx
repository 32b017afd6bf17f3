// Pairing: people who messaged the bot and wait for approval (as the
// instance last reported them), approved by queuing a command for the
// agent; a code can also be typed in.
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useQuery } from '@tanstack/react-query'
import { API } from '@/lib/api'
import { ago, when } from '@/lib/format'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { NativeSelect } from '@/components/ui/native-select'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { LoadError, Notice, Section, useAct } from '@/components/common'

export function Pairing({ id }: { id: string }) {
  const { t } = useTranslation()
  const list = useQuery({ queryKey: ['pairing', id], queryFn: () => API.pairing(id) })
  const [channel, setChannel] = useState('telegram')
  const [code, setCode] = useState('')
  const [done, setDone] = useState<Set<string>>(new Set())
  const approve = useAct((v: { ch: string; c: string }) => API.approvePairing(id, v.ch, v.c), {
    ok: (v) => t('pairing.done', { code: v.c, channel: v.ch }),
    onSuccess: (v) => { setDone((d) => new Set(d).add(`${v.ch}:${v.c}`)); setCode('') },
  })
  const manual = (e: FormEvent) => {
    e.preventDefault()
    approve.mutate({ ch: channel, c: code.trim().toUpperCase() })
  }
  const reqs = list.data?.requests ?? []
  return (
    <>
      <Section title={t('pairing.title')} actions={
        <Button variant="outline" size="sm" onClick={() => list.refetch()} disabled={list.isFetching}>{t('app.refresh')}</Button>}>
        <p className="text-muted-foreground text-sm">{t('pairing.intro')}</p>
        <LoadError error={list.error} retry={() => list.refetch()} />
        {reqs.length === 0 ? <p className="text-muted-foreground">
          {list.data?.reported_at ? t('pairing.noneAsOf', { when: ago(list.data.reported_at) }) : t('pairing.none')}</p> : (
          <Table>
            <TableHeader><TableRow><TableHead>{t('pairing.channel')}</TableHead><TableHead>{t('pairing.sender')}</TableHead>
              <TableHead>{t('pairing.code')}</TableHead><TableHead>{t('pairing.asked')}</TableHead><TableHead><span className="sr-only">{t('pairing.approve')}</span></TableHead></TableRow></TableHeader>
            <TableBody>
              {reqs.map((r) => {
                const k = `${r.channel}:${r.code}`
                return (
                  <TableRow key={k}>
                    <TableCell>{r.channel}</TableCell><TableCell className="font-mono">{r.sender ?? '—'}</TableCell>
                    <TableCell className="font-mono">{r.code}</TableCell>
                    <TableCell className="text-muted-foreground" title={when(r.created_at)}>{ago(r.created_at)}</TableCell>
                    <TableCell className="text-right">
                      {done.has(k) ? <Badge variant="success">{t('pairing.approved')}</Badge>
                        : <Button size="sm" disabled={approve.busy} onClick={() => approve.mutate({ ch: r.channel, c: r.code })}>{t('pairing.approve')}</Button>}
                    </TableCell>
                  </TableRow>
                )
              })}
            </TableBody>
          </Table>
        )}
      </Section>
      <Section title={t('pairing.manual')}>
        <form className="grid items-end gap-3 sm:grid-cols-[auto_1fr_auto]" onSubmit={manual}>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="pair-channel">{t('pairing.channel')}</Label>
            <NativeSelect id="pair-channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
              {(['telegram', 'discord', 'slack', 'whatsapp'] as const).map((c) => <option key={c} value={c}>{t(`channels.${c}`)}</option>)}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="pair-code">{t('pairing.code')}</Label>
            <Input id="pair-code" value={code} onChange={(e) => setCode(e.target.value)} placeholder="ABCD2345" pattern="[A-Za-z0-9]{4,16}" required />
          </div>
          <Button type="submit" disabled={approve.busy || !code.trim()}>{t('pairing.approve')}</Button>
        </form>
        <Notice note={approve.note} />
      </Section>
    </>
  )
}
