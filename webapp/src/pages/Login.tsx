// Login by magic link: the API always answers 202 (it never says whether
// the address is known), so the page always says "check your inbox".
import { type FormEvent, useState } from 'react'
import { Trans, useTranslation } from 'react-i18next'
import { useMutation } from '@tanstack/react-query'
import { API } from '@/lib/api'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card'
import { LoadError } from '@/components/common'

export function Login() {
  const { t } = useTranslation()
  const [email, setEmail] = useState('')
  const send = useMutation({ mutationFn: (e: string) => API.magicLink(e) })

  const submit = (e: FormEvent) => {
    e.preventDefault()
    send.mutate(email.trim())
  }

  return (
    <Card className="mx-auto mt-12 max-w-md">
      <CardHeader className="flex-col items-start">
        <h1>{t('login.title')}</h1>
        {!send.isSuccess && <CardDescription>{t('login.intro')}</CardDescription>}
      </CardHeader>
      <CardContent>
        {send.isSuccess ? (
          <div className="flex flex-col items-start gap-3">
            <Alert variant="success" role="status">
              <AlertDescription>
                <p><Trans i18nKey="login.sent" values={{ email: send.variables }} components={{ strong: <strong /> }} /></p>
              </AlertDescription>
            </Alert>
            <Button variant="outline" onClick={() => { send.reset(); setEmail('') }}>{t('login.another')}</Button>
          </div>
        ) : (
          <form onSubmit={submit} className="flex flex-col gap-3">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="login-email">{t('login.email')}</Label>
              <Input id="login-email" type="email" required autoComplete="email" value={email}
                onChange={(e) => setEmail(e.target.value)} placeholder="you@example.com" />
            </div>
            <LoadError error={send.error} />
            <Button type="submit" disabled={send.isPending || !email.trim()}>
              {send.isPending ? t('login.sending') : t('login.send')}</Button>
          </form>
        )}
      </CardContent>
    </Card>
  )
}
