// HTTP of Open311 GeoReport v2 under /open311/v2: every resource as `.json` and `.xml`, errors
// in the spec's own format and statuses (403 for a missing or wrong api_key, 404 for what does
// not exist, 400 for anything else that cannot be done), form-encoded POST bodies. An `api_key`
// (query or body) is an API token: it authenticates like `Authorization: Bearer` and the app's
// rate limiter then counts the request against that token's own limit (none for the demo key).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, errorCatalogue, notFound } from '../../errors.ts';
import { authenticateApiToken } from '../../plugins/authenticate.ts';
import { contentTypes, formatOfUrl, render, renderErrors, type Format, type Open311Value } from './open311.format.ts';
import { FileParams, PlainQuery, RequestQuery, RequestsQuery, UpdatesQuery } from './open311.schema.ts';
import { discovery, getRequest, getRequests, getToken, getUpdates, listServices, readForm, serviceDefinition, submitRequest } from './open311.service.ts';

const formats: Format[] = ['json', 'xml'];

/** `<id>.<format>` of a path segment; 404 for another extension. */
function splitFile(file: string): { id: string; format: Format } {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  if (!m) throw new AppError('not_found', 'Unknown format: end the path with .json or .xml.');
  return { id: m[1]!, format: m[2] as Format };
}

function send(reply: FastifyReply, format: Format, root: string, value: unknown, status = 200) {
  return reply.status(status).type(contentTypes[format]).send(render(format, root, value as Open311Value));
}

/** The spec's statuses: 403 (api_key), 404 (not found), 429 (rate limit), 5xx; 400 for the rest. */
function open311Status(status: number): number {
  if (status === 401) return 403;
  if ([403, 404, 429].includes(status) || status >= 500) return status;
  return 400;
}

function apiKeyOf(request: FastifyRequest): string | undefined {
  const fromQuery = (request.query as Record<string, unknown> | undefined)?.api_key;
  const body = request.body as Record<string, unknown> | undefined;
  const fromBody = body && typeof body === 'object' ? body.api_key : undefined;
  const key = [fromQuery, fromBody].flat().find((k) => typeof k === 'string' && k.trim() !== '');
  return typeof key === 'string' ? key.trim() : undefined;
}

export const open311Routes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, territoryIndex, config } = app.deps;
  const db = database.db;
  const tags = ['open311'];
  const produces = ['application/json', 'text/xml'];

  // Form bodies: `a=1&attribute[x]=2&attribute[y][]=3`; repeated keys become arrays.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const params = new URLSearchParams(String(body));
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of params) {
      const prev = out[k];
      out[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
    }
    done(null, out);
  });

  // After the body is read and before the rate limiter (preHandler) counts the request.
  app.addHook('preValidation', async (request) => {
    const key = apiKeyOf(request);
    if (key && !(await authenticateApiToken(app, request, key))) throw new AppError('forbidden', 'Invalid api_key received: unknown or revoked.');
  });

  app.setErrorHandler((error: Error & { statusCode?: number; validation?: { instancePath?: string; message?: string }[]; validationContext?: string }, request, reply) => {
    const format = formatOfUrl(request.url);
    let status: number;
    let description: string;
    if (error instanceof AppError) {
      if (error.headers) reply.headers(error.headers);
      status = error.status;
      const field = error.details?.[0]?.field;
      description = field && !error.message.includes(field.replace(/^\//, '')) ? `${error.message} (${field})` : error.message;
    } else if (error.validation) {
      const v = error.validation[0];
      status = 400;
      description = `Invalid ${error.validationContext ?? 'request'} argument ${v?.instancePath?.replace(/^\//, '') ?? ''}: ${v?.message ?? 'not valid'}`.replace(/ {2,}/g, ' ');
    } else {
      status = error.statusCode ?? 500;
      if (status === 429) description = errorCatalogue.rate_limited.message;
      else if (status >= 500) {
        request.log.error({ err: error }, 'unhandled error');
        description = errorCatalogue.internal.message;
      } else description = error.message;
    }
    status = open311Status(status);
    return reply.status(status).type(contentTypes[format]).send(renderErrors(format, [{ code: status, description }]));
  });

  app.setNotFoundHandler((request, reply) => {
    const format = formatOfUrl(request.url);
    reply
      .status(404)
      .type(contentTypes[format])
      .send(renderErrors(format, [{ code: 404, description: `No Open311 resource ${request.method} ${request.url.split('?')[0]}.` }]));
  });

  for (const format of formats) {
    app.get(
      `/discovery.${format}`,
      { schema: { tags, summary: `Service discovery (${format})`, querystring: PlainQuery, produces } },
      async (request, reply) => {
        const url = `${request.protocol}://${request.host}/open311/v2`;
        return send(reply, format, 'discovery', await discovery(db, url, config.nodeEnv === 'production'));
      },
    );

    app.get(
      `/services.${format}`,
      { schema: { tags, summary: `Service list: the leaf categories, grouped by top-level category (${format})`, querystring: PlainQuery, produces } },
      async (_request, reply) => send(reply, format, 'services', await listServices(db)),
    );

    app.post(
      `/requests.${format}`,
      {
        schema: {
          tags,
          summary: `Create a service request (${format}; form-encoded; api_key required)`,
          description:
            'Fields: api_key, service_code, lat+long or address_string, attribute[urgency|hide_identity|location_detail], description, first_name, last_name, phone, media_url (email, device_id, account_id are accepted and not kept). Enters the same intake pipeline as every channel (channel open311).',
          querystring: PlainQuery,
          consumes: ['application/x-www-form-urlencoded', 'application/json'],
          produces,
        },
      },
      async (request, reply) => send(reply, format, 'service_requests', await submitRequest({ db, territoryIndex }, request.ctx(), readForm(request.body))),
    );

    app.get(
      `/requests.${format}`,
      { schema: { tags, summary: `Service requests (${format}): the most recent 90 days, at most 1,000 a page`, querystring: RequestsQuery, produces } },
      async (request, reply) => send(reply, format, 'service_requests', await getRequests(db, request.query, request.ctx().now)),
    );

    app.get(
      `/servicerequestupdates.${format}`,
      { schema: { tags, summary: `mySociety extension: public updates of every request in a period (${format})`, querystring: UpdatesQuery, produces } },
      async (request, reply) => send(reply, format, 'service_request_updates', await getUpdates(db, request.query, request.ctx().now)),
    );
  }

  app.get(
    '/services/:file',
    { schema: { tags, summary: 'Service definition: services/{service_code}.json or .xml', params: FileParams, querystring: PlainQuery, produces } },
    async (request, reply) => {
      const { id, format } = splitFile(request.params.file);
      return send(reply, format, 'service_definition', await serviceDefinition(db, id));
    },
  );

  app.get(
    '/requests/:file',
    { schema: { tags, summary: 'One service request (an array of one): requests/{service_request_id}.json or .xml', params: FileParams, querystring: RequestQuery, produces } },
    async (request, reply) => {
      const { id, format } = splitFile(request.params.file);
      return send(reply, format, 'service_requests', await getRequest(db, id, request.query.extensions));
    },
  );

  app.get(
    '/tokens/:file',
    { schema: { tags, summary: 'The service_request_id of a token (requests are created in real time: the token is the id)', params: FileParams, querystring: PlainQuery, produces } },
    async (request, reply) => {
      const { id, format } = splitFile(request.params.file);
      if (!id) throw notFound('Token');
      return send(reply, format, 'service_requests', await getToken(db, id));
    },
  );
};
