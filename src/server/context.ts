// What a service needs to know about the call it serves: who, from where, and what time it is.
import type { Actor } from './policy/index.ts';

export interface CallContext {
  actor: Actor | null;
  ip?: string | undefined;
  requestId?: string | undefined;
  /** The clock is injectable so tests can move time. */
  now: Date;
}

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/** A context for work the system does itself (seeds, sweeps, CLI). */
export function systemContext(now: Date = new Date()): CallContext {
  return { actor: null, now };
}
