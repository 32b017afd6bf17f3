// react-i18next with the English and German texts bundled (both small);
// the language is the one the user picked (localStorage "och.lang"), else
// the browser's, else English.
import i18n from 'i18next'
import { initReactI18next } from 'react-i18next'
import en from './locales/en'
import de from './locales/de'

export const LANGUAGES = [['en', 'English'], ['de', 'Deutsch']] as const

function initial(): string {
  try {
    const saved = localStorage.getItem('och.lang')
    if (saved === 'en' || saved === 'de') return saved
  } catch { /* no storage */ }
  const nav = typeof navigator !== 'undefined' ? navigator.language : 'en'
  return nav.toLowerCase().startsWith('de') ? 'de' : 'en'
}

i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, de: { translation: de } },
  lng: typeof window !== 'undefined' ? initial() : 'en',
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
})

i18n.on('languageChanged', (l) => {
  document.documentElement.lang = l
  try { localStorage.setItem('och.lang', l) } catch { /* no storage */ }
})
if (typeof document !== 'undefined') document.documentElement.lang = i18n.language

export default i18n
