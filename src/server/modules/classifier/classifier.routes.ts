// POST /api/v1/classify — the public contract other systems and the resident page call:
// {"text"} → {"category", "confidence", "urgent", "alternatives", "modelVersion"} (plus the terms
// behind the category and why a text is urgent). No login; at least 600 requests a minute per client.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { invalid } from '../../errors.ts';
import { errors, Nullable } from '../../lib/schemas.ts';
import { activeModel, classify, configureClassifier, maxTextLength } from './classifier.service.ts';

const ClassifyBody = Type.Object({
  text: Type.String({ maxLength: maxTextLength, description: `The resident's description, 1–${maxTextLength} characters.` }),
});

const Ranked = Type.Object({ category: Type.String(), confidence: Type.Number({ minimum: 0, maximum: 1 }) });

const ClassifyResponse = Type.Object({
  category: Type.String({ description: 'Leaf category code (GET /api/v1/categories)' }),
  confidence: Type.Number({ minimum: 0, maximum: 1, description: 'Calibrated probability that `category` is right' }),
  urgent: Type.Boolean({ description: 'Immediate danger (gas leak, people trapped, open manhole, fire, fight, collapse, …)' }),
  alternatives: Type.Array(Ranked, { description: 'The next most likely categories' }),
  modelVersion: Type.String(),
  terms: Type.Array(Type.Object({ term: Type.String(), weight: Type.Number() }), { description: 'The words that weighed most for `category`' }),
  urgentReason: Nullable(Type.String()),
});

export const classifierRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, config } = app.deps;
  const db = database.db;
  configureClassifier(db, { threshold: config.classifierThreshold });

  // A served process loads (or, on an empty database, trains) the model as it starts listening,
  // so the first request does not wait for it.
  app.addHook('onListen', async () => {
    activeModel(db).then(
      (model) => app.log.info({ modelVersion: model.version }, 'classifier model ready'),
      (error: unknown) => app.log.error({ err: error }, 'classifier model could not be loaded'),
    );
  });

  app.post(
    '/classify',
    {
      config: { rateLimit: { max: (request) => Math.max(600, request.tokenRateLimit ?? config.publicRateLimitPerMinute), timeWindow: 60_000 } },
      schema: {
        tags: ['classifier'],
        summary: 'Suggest the category of a problem description (秒拨), with confidence, alternatives and urgency',
        security: [],
        body: ClassifyBody,
        response: { 200: ClassifyResponse, ...errors(400, 429) },
      },
    },
    async (request) => {
      const text = request.body.text.trim();
      if (text.length === 0) throw invalid('/text', 'Describe the problem (the text is empty).');
      const c = await classify(db, text);
      return {
        category: c.category,
        confidence: c.confidence,
        urgent: c.urgent,
        alternatives: c.alternatives,
        modelVersion: c.modelVersion,
        terms: c.terms,
        urgentReason: c.urgentReason,
      };
    },
  );
};
