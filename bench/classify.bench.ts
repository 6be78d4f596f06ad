// Classification (秒拨): training on the shipped corpus, then the time per text of what
// POST /api/v1/classify computes (the model and the urgency rules) on the held-out texts, on one
// core, and the same over HTTP (app.inject: routing, validation, rate limit, serialisation) into
// a freshly migrated database. Targets: ≤ 1 ms per text; training a few seconds.
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { activeModel, classifyWith } from '../src/server/modules/classifier/classifier.service.ts';
import { readCorpus, taxonomyLeaves } from '../src/server/modules/classifier/corpus.ts';
import { TextClassifier, trainClassifier } from '../src/server/modules/classifier/model.ts';
import { seedReferenceData } from '../src/server/seed/reference.ts';
import { freshPglite, timed, type BenchSection } from './lib.ts';

const rounds = 20;

export const section: BenchSection = {
  name: 'classify',
  description: 'Category classifier: training on the corpus, time per text (model + urgency rules, 1 core), and POST /api/v1/classify',
  async run(log) {
    const train = readCorpus('train.jsonl');
    const texts = readCorpus('heldout.jsonl').map((h) => h.text);
    const started = performance.now();
    const { model: trained, report } = trainClassifier(train, taxonomyLeaves());
    const trainMs = performance.now() - started;
    const bytes = trained.serialize();
    const model = TextClassifier.deserialize(bytes);
    log(`trained on ${report.examples} texts in ${Math.round(trainMs)} ms: ${report.features} terms × ${report.classes} categories, ${Math.round(bytes.length / 1024)} KB stored`);

    for (const text of texts) classifyWith(model, 'bench', text); // warm up the JIT
    const samples: number[] = [];
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (const text of texts) {
        const s = performance.now();
        classifyWith(model, 'bench', text);
        samples.push(performance.now() - s);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    samples.sort((a, b) => a - b);
    const perText = (seconds * 1000) / samples.length;
    const p99 = samples[Math.floor(samples.length * 0.99)]!;
    const long = texts.join('，').slice(0, 4000);
    const { ms: longMs } = await timed(async () => {
      for (let i = 0; i < 50; i++) classifyWith(model, 'bench', long);
    });
    log(`${samples.length.toLocaleString('en-US')} classifications in ${seconds.toFixed(2)} s; a 4,000-character text takes ${(longMs / 50).toFixed(2)} ms`);

    // Over HTTP, against a database holding the model (stored as the product stores it).
    const database = await freshPglite();
    try {
      await seedReferenceData(database.db);
      const app = await buildApp({ config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }, { publicRateLimitPerMinute: 1_000_000 }), database });
      const { ms: firstUseMs } = await timed(() => activeModel(database.db));
      log(`first use on an empty database (train, store version 1): ${firstUseMs} ms`);
      const n = 2000;
      const { ms: httpMs } = await timed(async () => {
        for (let i = 0; i < n; i++) {
          const res = await app.inject({ method: 'POST', url: '/api/v1/classify', payload: { text: texts[i % texts.length] } });
          if (res.statusCode !== 200) throw new Error(`POST /classify: ${res.statusCode} ${res.body}`);
        }
      });
      await app.close();
      return [
        { name: 'training (corpus, 1 core)', value: Math.round(trainMs), unit: 'ms', target: { kind: 'max', value: 10_000 } },
        { name: 'first use on an empty database', value: firstUseMs, unit: 'ms', note: 'train + store version 1' },
        { name: 'model stored', value: Math.round(bytes.length / 1024), unit: 'KB' },
        { name: 'time per text (model + urgency)', value: Math.round(perText * 1000) / 1000, unit: 'ms', target: { kind: 'max', value: 1 } },
        { name: 'p99 per text', value: Math.round(p99 * 1000) / 1000, unit: 'ms' },
        { name: 'throughput (1 core)', value: Math.round(samples.length / seconds), unit: 'texts/s' },
        { name: '4,000-character text', value: Math.round((longMs / 50) * 100) / 100, unit: 'ms' },
        { name: 'POST /classify (inject, sequential)', value: Math.round((n / httpMs) * 1000), unit: 'requests/s' },
      ];
    } finally {
      await database.close();
    }
  },
};
