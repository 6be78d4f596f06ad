// Times are stored in UTC and always shown on the Shanghai clock, whatever the browser's zone.
import i18n from 'i18next';

const zone = 'Asia/Shanghai';

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(i18n.language === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso));
}

/** A day on the Shanghai calendar, YYYY-MM-DD. */
export function shanghaiDate(d: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/** Remaining time to a deadline in hours and minutes; negative when past. */
export function remaining(iso: string | null, now: number = Date.now()): { ms: number; text: string } | null {
  if (!iso) return null;
  const ms = new Date(iso).getTime() - now;
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const text = days > 0 ? i18n.t('time.dh', { d: days, h: hours }) : i18n.t('time.hm', { h: hours, m: minutes });
  return { ms, text };
}

/** Formats the 12-digit tracking code as it is read out: 2611 2345 6789. */
export const formatCode = (code: string) => code.replace(/(\d{4})(\d{4})(\d{4})/, '$1 $2 $3');
