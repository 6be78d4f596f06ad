import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

export const territoryRoutes: FastifyPluginAsyncTypebox = async () => {};
