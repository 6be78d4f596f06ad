import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import zhCN from './locales/zh-CN.json';
import en from './locales/en.json';

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('gz.lang') : null;

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: saved === 'en' ? 'en' : 'zh-CN',
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
});

export function switchLanguage(): void {
  const next = i18n.language === 'en' ? 'zh-CN' : 'en';
  localStorage.setItem('gz.lang', next);
  document.documentElement.lang = next;
  void i18n.changeLanguage(next);
}

export default i18n;
