// The confirmation before a restore: what it replaces, and the instance's
// hostname typed by hand (the API wants it as the confirmation, so a
// stray click restores nothing).  Radix AlertDialog: focus trapped, Esc
// or "Cancel" closes it and sends nothing.
import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import {
  AlertDialog, AlertDialogAction, AlertDialogCancel, AlertDialogContent, AlertDialogDescription,
  AlertDialogFooter, AlertDialogHeader, AlertDialogTitle, AlertDialogTrigger,
} from '@/components/ui/alert-dialog'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import type { Backup } from '@/lib/api'
import { when } from '@/lib/format'

export function RestoreDialog({ backup, hostname, disabled, why, onConfirm }: {
  backup: Backup; hostname: string; disabled: boolean; why?: string
  onConfirm: (confirm: string) => void
}) {
  const { t } = useTranslation()
  const [typed, setTyped] = useState('')
  const field = useId()
  const snapshot = backup.kind === 'snapshot'
  return (
    <AlertDialog onOpenChange={(open) => { if (!open) setTyped('') }}>
      <AlertDialogTrigger asChild disabled={disabled}>
        <Button variant="outline" size="sm" disabled={disabled} title={why} data-testid={`restore-${backup.id}`}>
          {t('backups.restore')}</Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>{t('backups.restoreTitle', { when: when(backup.created_at) })}</AlertDialogTitle>
          <AlertDialogDescription>{t(snapshot ? 'backups.restoreSnapshotText' : 'backups.restoreText')}</AlertDialogDescription>
        </AlertDialogHeader>
        <div className="flex flex-col gap-2">
          <Label htmlFor={field}>{t('backups.restoreType', { hostname })}</Label>
          <Input id={field} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off"
            spellCheck={false} className="font-mono" data-testid="restore-confirm" />
        </div>
        <AlertDialogFooter>
          <AlertDialogCancel>{t('app.cancel')}</AlertDialogCancel>
          <AlertDialogAction className="bg-destructive hover:bg-destructive/90 text-white"
            disabled={typed.trim() !== hostname} onClick={() => onConfirm(typed.trim())}>
            {t('backups.restoreNow')}</AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}
