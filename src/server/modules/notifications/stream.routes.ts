// GET /api/v1/stream: server-sent events for the signed-in caller (EventSource sends the session
// cookie). Messages: `event: notification` (one of mine) and `event: appeal` (a step of a case I
// may follow), each with JSON data and an id to resume from (Last-Event-ID); `: ping` every 15 s.
// Written by hand on the raw response: the protocol is a few lines, and no dependency is needed.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import { errors } from '../../lib/schemas.ts';
import { requireActor } from '../../policy/index.ts';
import { StreamHub, type Subscription } from './stream.hub.ts';

export interface StreamRoutesOptions {
  /** How often the process looks for new rows (default 1 s). */
  pollIntervalMs?: number;
  /** How often an idle stream gets a comment line (default 15 s). */
  heartbeatMs?: number;
}

/** A client that reads this slowly is cut off (it reconnects and resumes from Last-Event-ID). */
const maxBufferedBytes = 1024 * 1024;
const retryMs = 3_000;

export const streamRoutes: FastifyPluginAsyncTypebox<StreamRoutesOptions> = async (app, options) => {
  const hub = new StreamHub({ db: app.deps.database.db, pollIntervalMs: options.pollIntervalMs, heartbeatMs: options.heartbeatMs, log: app.log });
  // Open streams would keep the server from closing: end them before it closes, stop the poller.
  app.addHook('preClose', () => hub.close());
  app.addHook('onClose', () => hub.close());

  app.get(
    '/',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Live updates (text/event-stream): my notifications and the steps of cases I follow',
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 64 })) }),
        response: { 200: Type.String({ description: 'text/event-stream' }), ...errors(401, 503) },
      },
    },
    async (request, reply) => {
      requireActor(request.actor);
      let subscription: Subscription;
      try {
        subscription = await hub.subscribe(request.actor, request.headers['last-event-id']);
      } catch (err) {
        request.log.warn({ err }, 'stream subscription failed');
        throw new AppError('unavailable', 'Live updates are not available now; try again shortly.');
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      res.write(`retry: ${retryMs}\n: connected\n\n`);
      const done = () => subscription.close();
      res.on('close', done);
      res.on('error', done);
      if (res.destroyed) return done();
      subscription.open({
        write: (chunk) => {
          if (res.destroyed || res.writableEnded) return;
          res.write(chunk);
          if (res.writableLength > maxBufferedBytes) res.destroy();
        },
        end: () => {
          if (!res.writableEnded) res.end();
        },
      });
    },
  );
};
