import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import zhCN from './locales/zh-CN.json';

// Chinese is in the entry; English loads when it is chosen (fallbackLng fills any gap with Chinese).
const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('gz.lang') : null;

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN } },
  lng: 'zh-CN',
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
});

async function applyLanguage(lang: 'zh-CN' | 'en'): Promise<void> {
  if (lang === 'en' && !i18n.hasResourceBundle('en', 'translation')) {
    const { default: en } = await import('./locales/en.json');
    i18n.addResourceBundle('en', 'translation', en);
  }
  document.documentElement.lang = lang;
  await i18n.changeLanguage(lang);
}

/** Resolves when the saved language is ready (main.tsx waits for it before the first render). */
export const languageReady: Promise<void> = saved === 'en' ? applyLanguage('en').catch(() => undefined) : Promise.resolve();

export function switchLanguage(): void {
  const next = i18n.language === 'en' ? 'zh-CN' : 'en';
  localStorage.setItem('gz.lang', next);
  void applyLanguage(next);
}

export default i18n;
