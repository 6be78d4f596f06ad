// The vocabulary of the appeals loop: states, channels, urgencies, rating values, and the
// tracking code. Which role may move a case is decided in appeal-access.ts.
import { randomInt } from 'node:crypto';

/**
 * submitted  待分拨: waiting in an appeals service centre's dispatch queue
 * dispatched 待签收: placed with a lead unit
 * signed     已签收 → in_progress 办理中 → replied 已回复 → verified 已核实 → closed 已办结
 * returned   已退单: the unit sent it back to dispatch with a reason
 * reopened   重办: the resident was not satisfied; the lead unit must sign again
 * merged     已合并: a duplicate, followed through its parent case
 */
export const appealStatuses = ['submitted', 'dispatched', 'signed', 'in_progress', 'replied', 'verified', 'closed', 'returned', 'reopened', 'merged'] as const;
export type AppealStatus = (typeof appealStatuses)[number];

export const openStatuses: readonly AppealStatus[] = ['submitted', 'dispatched', 'signed', 'in_progress', 'replied', 'verified', 'returned', 'reopened'];
/** States where the case waits for a unit to sign it. */
export const awaitingSign: readonly AppealStatus[] = ['dispatched', 'reopened'];
/** States where the case is being handled by its lead unit. */
export const inHand: readonly AppealStatus[] = ['signed', 'in_progress'];

export const channels = ['app', 'web', 'hotline', 'mailbox', 'wechat', 'letter', 'walk_in', 'patrol', 'api', 'import', 'open311'] as const;
export type Channel = (typeof channels)[number];
/** Channels where a member of staff enters the case for somebody else. */
export const staffChannels: readonly Channel[] = ['hotline', 'mailbox', 'wechat', 'letter', 'walk_in', 'patrol', 'import'];
/** Channels where the resident is best reached by phone (operators record follow-up calls). */
export const phoneChannels: readonly Channel[] = ['hotline', 'letter', 'walk_in', 'mailbox', 'wechat'];

export const urgencies = ['normal', 'urgent'] as const;
export type Urgency = (typeof urgencies)[number];

export const resolutions = ['resolved', 'partly', 'unresolved'] as const;
export const satisfactions = ['satisfied', 'basic', 'unsatisfied'] as const;
export type Resolution = (typeof resolutions)[number];
export type Satisfaction = (typeof satisfactions)[number];

/** After two returns the dispatcher's ruling is final (首接负责). */
export const maxReturns = 2;
/** The resident may rate within this many days of the reply. */
export const ratingWindowDays = 7;

/** 12 digits, the last a Luhn check digit, so a mistyped code is caught before any lookup. */
export function newTrackingCode(): string {
  let digits = String(randomInt(1, 10));
  for (let i = 0; i < 10; i++) digits += String(randomInt(0, 10));
  return digits + luhnDigit(digits);
}

export function isValidTrackingCode(code: string): boolean {
  return /^\d{12}$/.test(code) && luhnDigit(code.slice(0, 11)) === code[11];
}

function luhnDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** 2611 2345 6789 — how the code is shown and read out. */
export function formatTrackingCode(code: string): string {
  return code.replace(/(\d{4})(\d{4})(\d{4})/, '$1 $2 $3');
}
