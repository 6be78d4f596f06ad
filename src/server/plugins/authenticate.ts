// Resolves the caller from a session cookie or an API token (Authorization: Bearer …; Open311
// clients send the same token as `api_key`, see modules/open311). Anonymous callers get
// actor = null; routes decide through the policy module what that allows.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { actorFromApiToken, actorFromSession, sessionCookie } from '../modules/auth/auth.service.ts';

/** Makes the token's account the caller, with the token's own rate limit; false when unknown or revoked. */
export async function authenticateApiToken(app: FastifyInstance, request: FastifyRequest, token: string): Promise<boolean> {
  const found = await actorFromApiToken(app.deps.database.db, token, app.deps.clock());
  if (!found) return false;
  request.actor = found.actor;
  request.unlimited = found.rateLimitPerMinute === null;
  request.tokenRateLimit = found.rateLimitPerMinute;
  return true;
}

export async function authenticate(this: FastifyInstance, request: FastifyRequest, _reply: FastifyReply) {
  const { database, clock, config } = this.deps;
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppError('unauthenticated', 'The Authorization header must be "Bearer <token>".');
    if (!(await authenticateApiToken(this, request, match[1]!))) throw new AppError('unauthenticated', 'The API token is unknown or revoked.');
    return;
  }
  const cookie = request.cookies?.[sessionCookie];
  if (cookie) request.actor = await actorFromSession(database.db, cookie, clock(), config.sessionTtlHours);
}
