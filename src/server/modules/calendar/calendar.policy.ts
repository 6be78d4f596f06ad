// Who may read and change the working-day calendar. The calendar is city-wide (deadlines must
// not depend on which district an appeal lies in), so changing it needs 'calendar.manage' held
// at a root scope — a territory path without a '.' — not merely somewhere in the city.
import { AppError } from '../../errors.ts';
import { permissions, requireActor, scopesFor, type Actor, type Grant } from '../../policy/index.ts';

export function authorizeCalendarRead(actor: Actor | null): asserts actor is Actor {
  requireActor(actor);
  if (scopesFor(actor, 'calendar.read').length === 0) throw new AppError('forbidden', 'Only staff may read the working-day calendar.');
}

/** Returns the root-scope grant the change is made under (recorded on the event). */
export function authorizeCalendarManage(actor: Actor | null): Grant {
  requireActor(actor);
  const allowed: readonly string[] = permissions['calendar.manage'];
  const grant = actor.grants.find((g) => allowed.includes(g.role) && !g.scopePath.includes('.'));
  if (!grant) throw new AppError('forbidden', 'Only a city-wide administrator may change the working-day calendar.');
  return grant;
}
