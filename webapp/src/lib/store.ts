// Client state shared across the app: the colour theme and the language,
// kept in localStorage (Zustand's persist).  Server state lives in
// TanStack Query, not here.
import { create } from 'zustand'
import { persist } from 'zustand/middleware'

export type Theme = 'light' | 'dark' | 'system'

interface Prefs {
  theme: Theme
  setTheme: (t: Theme) => void
}

export const usePrefs = create<Prefs>()(persist((set) => ({
  theme: 'system',
  setTheme: (theme) => set({ theme }),
}), { name: 'och.prefs' }))

/** Put the theme on <html> (class "dark") now and whenever it or the system's changes. */
export function applyTheme() {
  const mq = window.matchMedia('(prefers-color-scheme: dark)')
  const paint = () => {
    const t = usePrefs.getState().theme
    const dark = t === 'dark' || (t === 'system' && mq.matches)
    document.documentElement.classList.toggle('dark', dark)
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light'
  }
  paint()
  mq.addEventListener('change', paint)
  usePrefs.subscribe(paint)
}
