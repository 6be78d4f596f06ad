import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

export const organisationRoutes: FastifyPluginAsyncTypebox = async () => {};
