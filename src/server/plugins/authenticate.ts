// Resolves the caller from a session cookie or an API token (Authorization: Bearer …).
// Anonymous callers get actor = null; routes decide through the policy module what that allows.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { actorFromApiToken, actorFromSession, sessionCookie } from '../modules/auth/auth.service.ts';

export async function authenticate(this: FastifyInstance, request: FastifyRequest, _reply: FastifyReply) {
  const { database, clock, config } = this.deps;
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppError('unauthenticated', 'The Authorization header must be "Bearer <token>".');
    const found = await actorFromApiToken(database.db, match[1]!, clock());
    if (!found) throw new AppError('unauthenticated', 'The API token is unknown or revoked.');
    request.actor = found.actor;
    request.unlimited = found.rateLimitPerMinute === null;
    request.tokenRateLimit = found.rateLimitPerMinute;
    return;
  }
  const cookie = request.cookies?.[sessionCookie];
  if (cookie) request.actor = await actorFromSession(database.db, cookie, clock(), config.sessionTtlHours);
}
