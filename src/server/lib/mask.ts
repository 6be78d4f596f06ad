// Personal data shown to people who do not need it in full.

/** 13812345678 → 138****5678 */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  if (phone.length < 7) return '*'.repeat(phone.length);
  return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}

/** 张三丰 → 张** ; Alice → A**** */
export function maskName(name: string | null | undefined): string | null {
  if (!name) return null;
  const chars = [...name];
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}
