// The frame of every action on a case: one transaction, the case row locked, its handling
// units loaded, then the action's own checks and writes.
import type { CallContext } from '../../context.ts';
import type { Db, Tx } from '../../db/client.ts';
import { AppError, notFound } from '../../errors.ts';
import type { AppealStatus } from './appeal-rules.ts';
import type { CaseFacts } from './appeal-access.ts';
import { loadHandlers, lockAppeal, type AppealRow, type HandlerRow } from './appeals.repository.ts';

export interface CaseInHand {
  tx: Tx;
  appeal: AppealRow;
  handlers: HandlerRow[];
  facts: CaseFacts;
}

export function factsOf(appeal: AppealRow, handlers: HandlerRow[]): CaseFacts {
  return {
    territoryPath: appeal.territoryPath,
    leadOrgId: appeal.leadOrgId,
    dispatchOrgId: appeal.dispatchOrgId,
    reporterId: appeal.reporterId,
    handlerOrgIds: handlers.map((h) => h.organisationId),
  };
}

export async function onCase<T>(db: Db, ctx: CallContext, appealId: string, work: (c: CaseInHand) => Promise<T>): Promise<T> {
  if (!ctx.actor) throw new AppError('unauthenticated');
  return db.transaction(async (tx) => {
    const appeal = await lockAppeal(tx, appealId);
    if (!appeal) throw notFound('Appeal');
    const handlers = await loadHandlers(tx, appeal.id);
    return work({ tx, appeal, handlers, facts: factsOf(appeal, handlers) });
  });
}

export function requireStatus(appeal: AppealRow, allowed: readonly AppealStatus[], action: string): void {
  if (!allowed.includes(appeal.status as AppealStatus)) {
    throw new AppError('invalid_state', `Cannot ${action} a case that is ${appeal.status}; it must be ${allowed.join(' or ')}.`);
  }
}
