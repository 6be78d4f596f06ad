// buildApp assembles the Fastify application; it does not listen (server.ts does), so tests
// call buildApp and inject requests.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { sql } from 'drizzle-orm';
import type { Config } from './config.ts';
import { systemClock, type CallContext, type Clock } from './context.ts';
import type { Database } from './db/client.ts';
import { AppError, errorCatalogue } from './errors.ts';
import { authenticate } from './plugins/authenticate.ts';
import type { Actor } from './policy/index.ts';
import { TerritoryIndex } from './modules/territories/territory-index.ts';
import { blobStoreFor, type BlobStore } from './lib/storage/blob-store.ts';
import { registerUploads } from './modules/appeals/photos/uploads.ts';
import { authRoutes } from './modules/auth/auth.routes.ts';
import { accountRoutes } from './modules/accounts/accounts.routes.ts';
import { territoryRoutes } from './modules/territories/territories.routes.ts';
import { organisationRoutes } from './modules/organisations/organisations.routes.ts';
import { auditRoutes } from './modules/events/audit.routes.ts';
import { appealRoutes } from './modules/appeals/appeals.routes.ts';
import { catalogueRoutes } from './modules/appeals/catalogue.routes.ts';
import { publicMapRoutes } from './modules/appeals/public-map.routes.ts';
import { calendarRoutes } from './modules/calendar/calendar.routes.ts';
import { notificationRoutes } from './modules/notifications/notifications.routes.ts';
import { streamRoutes } from './modules/notifications/stream.routes.ts';
import { statisticsRoutes } from './modules/statistics/statistics.routes.ts';
import { classifierRoutes } from './modules/classifier/classifier.routes.ts';
import { isAppRoute, webApp } from './web.ts';
import { open311Routes } from './modules/open311/open311.routes.ts';
import { hotspotRoutes } from './modules/hotspots/hotspots.routes.ts';

export interface AppDeps {
  config: Config;
  database: Database;
  clock: Clock;
  territoryIndex: TerritoryIndex;
  /** Where photos and other uploads are kept (files under DATA_DIR now; S3-compatible later). */
  blobStore: BlobStore;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
  interface FastifyRequest {
    actor: Actor | null;
    /** Set when the caller authenticated with an API token that has no rate limit. */
    unlimited: boolean;
    /** Requests a minute allowed to the caller's API token, if it sets its own. */
    tokenRateLimit: number | null;
    /** The caller's context for services: who, from where, when. */
    ctx(): CallContext;
  }
}

export interface BuildAppOptions {
  config: Config;
  database: Database;
  clock?: Clock;
  blobStore?: BlobStore;
}

export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export async function buildApp(options: BuildAppOptions): Promise<App> {
  const { config, database } = options;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      // Open311 clients may send api_key in the query string: keep it out of the logs.
      serializers: { req: (req) => ({ method: req.method, url: req.url.replace(/([?&]api_key=)[^&]*/g, '$1[redacted]'), remoteAddress: req.ip }) },
    },
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const clock = options.clock ?? systemClock;
  const territoryIndex = new TerritoryIndex(database.db);
  app.decorate('deps', { config, database, clock, territoryIndex, blobStore: options.blobStore ?? blobStoreFor(config) });
  app.decorateRequest('actor', null);
  app.decorateRequest('unlimited', false);
  app.decorateRequest('tokenRateLimit', null);
  app.decorateRequest('ctx', function (this: FastifyRequest): CallContext {
    return { actor: this.actor, ip: this.ip, requestId: this.id, now: clock() };
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.headers) reply.headers(error.headers);
      return reply.status(error.status).send({ error: { code: error.code, message: error.message, details: error.details } });
    }
    if (error.validation) {
      const details = error.validation.map((v) => ({
        field: v.instancePath || (v.params as { missingProperty?: string })?.missingProperty || error.validationContext || '',
        message: v.message ?? 'is not valid',
      }));
      const where = details[0]?.field ? ` (${error.validationContext ?? ''} ${details[0].field})` : '';
      return reply.status(400).send({
        error: { code: 'validation_failed', message: `The request is not valid${where}: ${details[0]?.message ?? ''}`, details },
      });
    }
    const status = error.statusCode ?? 500;
    if (status === 429) {
      return reply.status(429).send({ error: { code: 'rate_limited', message: errorCatalogue.rate_limited.message } });
    }
    if (status === 413) {
      return reply.status(413).send({ error: { code: 'payload_too_large', message: errorCatalogue.payload_too_large.message } });
    }
    if (status === 415) {
      return reply.status(415).send({ error: { code: 'unsupported_media_type', message: errorCatalogue.unsupported_media_type.message } });
    }
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ error: { code: 'bad_request', message: error.message } });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: errorCatalogue.internal.message } });
  });

  app.setNotFoundHandler((request, reply) => {
    // The web app routes itself: its paths get index.html (API paths keep a JSON 404).
    if (isAppRoute(app, request.method, request.url)) return reply.header('cache-control', 'no-cache').sendFile('index.html');
    reply.status(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}.` } });
  });

  await app.register(cookie);
  await registerUploads(app);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Gongzhi 共治 API', version: '1' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'gz_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.addHook('onRequest', authenticate);
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: (request) => request.tokenRateLimit ?? config.publicRateLimitPerMinute,
    timeWindow: 60_000,
    allowList: (request) => request.unlimited,
    keyGenerator: (request) => (request.actor ? `a:${request.actor.tokenId ?? request.actor.accountId}` : `ip:${request.ip}`),
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await database.db.execute(sql`select 1`);
      return { status: 'ready', database: database.engine };
    } catch {
      return reply.status(503).send({ error: { code: 'unavailable', message: 'The database does not answer.' } });
    }
  });

  await app.register(authRoutes, { prefix: '/api/v1/auth' });
  await app.register(accountRoutes, { prefix: '/api/v1/accounts' });
  await app.register(territoryRoutes, { prefix: '/api/v1/territories' });
  await app.register(organisationRoutes, { prefix: '/api/v1/organisations' });
  await app.register(auditRoutes, { prefix: '/api/v1/audit' });
  await app.register(appealRoutes, { prefix: '/api/v1/appeals' });
  await app.register(publicMapRoutes, { prefix: '/api/v1/public/appeals' });
  await app.register(catalogueRoutes, { prefix: '/api/v1' });
  await app.register(calendarRoutes, { prefix: '/api/v1/calendar' });
  await app.register(notificationRoutes, { prefix: '/api/v1/notifications' });
  await app.register(streamRoutes, { prefix: '/api/v1/stream' });
  await app.register(statisticsRoutes, { prefix: '/api/v1/statistics' });
  await app.register(classifierRoutes, { prefix: '/api/v1' });
  await webApp(app);
  await app.register(open311Routes, { prefix: '/open311/v2' });
  await app.register(hotspotRoutes, { prefix: '/api/v1/hotspots' });

  await territoryIndex.refresh();
  return app;
}
