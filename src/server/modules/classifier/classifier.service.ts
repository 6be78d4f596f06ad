// 秒拨: the category classifier as the product uses it. Each process keeps the active model in
// memory and re-checks a change counter in `meta` (db/versions.ts) at most every 2 s, so a model
// trained anywhere (`gongzhi train`, another process) is served without a restart. An empty
// database trains version 1 from the shipped corpus the first time a model is needed.
import { sql } from 'drizzle-orm';
import { defaultClassifierThreshold } from '../../config.ts';
import type { Db, Executor } from '../../db/client.ts';
import { VersionWatch } from '../../db/versions.ts';
import { loadCatalogue } from '../appeals/catalogue.ts';
import { activateVersion, confirmedCases, findActiveVersion, insertActiveVersion, nextVersionNumber, readModelBytes } from './classifier.repository.ts';
import { readCorpus, taxonomyLeaves } from './corpus.ts';
import { TextClassifier, trainClassifier, type Example, type Ranked, type TrainOptions, type TrainReport } from './model.ts';
import { detectUrgency } from './urgency.ts';

/** Auto-dispatch at or above this confidence unless configured otherwise (CLASSIFIER_THRESHOLD). */
export const defaultThreshold = defaultClassifierThreshold;
export const maxTextLength = 4000;

export interface LoadedModel {
  version: string;
  classifier: TextClassifier;
  metrics: unknown;
}

export interface Classification {
  category: string;
  confidence: number;
  /** The next most likely categories. */
  alternatives: Ranked[];
  /** The terms that weighed most for `category`. */
  terms: { term: string; weight: number }[];
  urgent: boolean;
  urgentCode: string | null;
  urgentReason: string | null;
  modelVersion: string;
}

interface State {
  loaded?: LoadedModel;
  /** The change counter as it was when `loaded` was found active. */
  counter: number;
  pending?: Promise<LoadedModel | undefined> | undefined;
  /** The pending refresh trains a first model (seconds). */
  training?: boolean;
  threshold: number;
}

const watch = new VersionWatch('classifier_version', 2000);
/** Serialises training and first-use bootstrapping across processes. */
const trainLock = 0x67_7a_63_6c; // "gzcl"
const states = new WeakMap<Db, State>();

function stateOf(db: Db): State {
  let state = states.get(db);
  if (!state) states.set(db, (state = { counter: -1, threshold: defaultThreshold }));
  return state;
}

/** Settings from the configuration, per database (the app sets them when it registers the routes). */
export function configureClassifier(db: Db, settings: { threshold: number }): void {
  stateOf(db).threshold = settings.threshold;
}

/** Forgets the model held in memory (tests use it to prove a model loads from the database). */
export function forgetClassifier(db: Db): void {
  const state = states.get(db);
  if (state) states.set(db, { counter: -1, threshold: state.threshold });
}

/** The active model: from memory while fresh, else from the database; trained if there is none. */
export async function activeModel(db: Db, now = Date.now()): Promise<LoadedModel> {
  return (await currentModel(db, now, true))!;
}

/** The active model if one is stored; never trains (intake must not wait seconds for a first model). */
export async function storedModel(db: Db, now = Date.now()): Promise<LoadedModel | undefined> {
  return currentModel(db, now, false);
}

async function currentModel(db: Db, now: number, train: boolean): Promise<LoadedModel | undefined> {
  const state = stateOf(db);
  const counter = await watch.version(db, { now });
  if (state.loaded && state.counter === counter) return state.loaded;
  if (state.pending) return !train && state.training ? state.loaded : state.pending;
  if (!train) return refresh(db, state, counter, false);
  state.training = true;
  state.pending = refresh(db, state, counter, true).finally(() => {
    state.pending = undefined;
    state.training = false;
  });
  return state.pending;
}

/** Finds the active model; `counter` was read before, so a change committed in between is caught by the next look. */
async function refresh(db: Db, state: State, counter: number, train: boolean): Promise<LoadedModel | undefined> {
  const row = await findActiveVersion(db);
  let loaded: LoadedModel;
  if (row && state.loaded?.version === row.version) {
    loaded = state.loaded;
  } else if (row) {
    const bytes = await readModelBytes(db, row.id);
    loaded = { version: row.version, classifier: TextClassifier.deserialize(bytes!), metrics: row.metrics };
  } else if (train) {
    loaded = (await trainModel(db, { includeConfirmedCases: true, onlyIfNone: true })).model;
  } else {
    return undefined;
  }
  state.loaded = loaded;
  state.counter = counter;
  return loaded;
}

/** Category, confidence, alternatives, the terms behind it, and urgency, for one text. */
export async function classify(db: Db, text: string): Promise<Classification> {
  const { version, classifier } = await activeModel(db);
  return classifyWith(classifier, version, text);
}

/** Categories offered besides the first. */
const alternativesShown = 3;

export function classifyWith(classifier: TextClassifier, version: string, text: string): Classification {
  const { ranked, terms } = classifier.predict(text.slice(0, maxTextLength), 5, 1 + alternativesShown);
  const urgency = detectUrgency(text);
  const round = (x: number) => Math.round(x * 10000) / 10000;
  return {
    category: ranked[0]!.category,
    confidence: round(ranked[0]!.confidence),
    alternatives: ranked.slice(1, 1 + alternativesShown).map((r) => ({ category: r.category, confidence: round(r.confidence) })),
    terms,
    urgent: urgency.urgent,
    urgentCode: urgency.code,
    urgentReason: urgency.reason,
    modelVersion: version,
  };
}

export interface IntakeClassification {
  /** The predicted category when its confidence reaches the threshold (auto-dispatch), else null. */
  categoryCode: string | null;
  confidence: number;
  /** Immediate danger (urgency rules; they need no model). */
  urgent: boolean;
  /** To keep on the case (`appeals.suggestions`) for the dispatcher; null while no model is stored yet. */
  suggestions: {
    modelVersion: string;
    category: string;
    confidence: number;
    threshold: number;
    auto: boolean;
    top: Ranked[];
    terms: { term: string; weight: number }[];
    urgent: boolean;
    urgentReason: string | null;
  } | null;
}

/**
 * What intake needs when a resident gave no category: the category to route by if the model is
 * sure enough, the suggestions for the dispatcher otherwise, and urgency. It never waits for a
 * first model to be trained: until one is stored (a served process trains it as it starts),
 * cases go to the dispatchers without suggestions.
 */
export async function classifyForIntake(db: Db, text: string, options: { threshold?: number } = {}): Promise<IntakeClassification> {
  const threshold = options.threshold ?? stateOf(db).threshold;
  const model = await storedModel(db);
  if (!model) return { categoryCode: null, confidence: 0, urgent: detectUrgency(text).urgent, suggestions: null };
  const c = classifyWith(model.classifier, model.version, text);
  const auto = c.confidence >= threshold;
  return {
    categoryCode: auto ? c.category : null,
    confidence: c.confidence,
    urgent: c.urgent,
    suggestions: {
      modelVersion: c.modelVersion,
      category: c.category,
      confidence: c.confidence,
      threshold,
      auto,
      top: [{ category: c.category, confidence: c.confidence }, ...c.alternatives.slice(0, 2)],
      terms: c.terms,
      urgent: c.urgent,
      urgentReason: c.urgentReason,
    },
  };
}

export interface TrainModelOptions {
  /** Add every closed case whose category people confirmed or corrected (default true). */
  includeConfirmedCases?: boolean;
  /** At most this many of those cases, newest first (default 50,000). */
  maxCases?: number;
  /** Only store the model if no version is active yet (first-use bootstrap). */
  onlyIfNone?: boolean;
  train?: TrainOptions;
}

export interface TrainModelResult {
  model: LoadedModel;
  /** False when `onlyIfNone` found a model another process had stored meanwhile. */
  created: boolean;
  metrics: ModelMetrics;
}

export interface ModelMetrics extends TrainReport {
  corpusExamples: number;
  confirmedCases: number;
  correctedCases: number;
  bytes: number;
  trainedAt: string;
}

/** The labels: the catalogue's active leaf categories (the shipped taxonomy before it is seeded). */
async function labelSet(db: Db): Promise<string[]> {
  const catalogue = await loadCatalogue(db);
  const leaves = [...catalogue.categories.values()].filter((c) => c.deptType && c.active).map((c) => c.code);
  return leaves.length > 0 ? leaves : taxonomyLeaves();
}

async function lock(db: Executor): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${trainLock})`);
}

/**
 * Trains a model on the shipped corpus (and, by default, the confirmed closed cases), stores it
 * as the next version and makes it active. A case a dispatcher corrected counts twice: it is
 * exactly where the resident or the model was wrong.
 */
export async function trainModel(db: Db, options: TrainModelOptions = {}): Promise<TrainModelResult> {
  const classes = await labelSet(db);
  const corpus = readCorpus('train.jsonl');
  const cases = options.includeConfirmedCases === false ? [] : await confirmedCases(db, options.maxCases ?? 50_000);
  const examples: Example[] = [...corpus, ...cases.flatMap((c) => (c.corrected ? [c, c] : [c]))];
  const { model: trained, report } = trainClassifier(examples, classes, options.train);
  const bytes = trained.serialize();
  // Serve exactly what is stored (the weights are quantised on the way to the database).
  const model = TextClassifier.deserialize(bytes);
  const metrics: ModelMetrics = {
    ...report,
    corpusExamples: corpus.length,
    confirmedCases: cases.length,
    correctedCases: cases.filter((c) => c.corrected).length,
    bytes: bytes.length,
    trainedAt: new Date().toISOString(),
  };
  const stored = await db.transaction(async (tx) => {
    await lock(tx);
    if (options.onlyIfNone) {
      const existing = await findActiveVersion(tx);
      if (existing) return { row: existing, created: false };
    }
    const version = String(await nextVersionNumber(tx));
    const row = await insertActiveVersion(tx, { version, metrics, model: bytes, createdAt: new Date() });
    await watch.bump(tx);
    return { row, created: true };
  });
  watch.changed();
  if (!stored.created) {
    const existing = await readModelBytes(db, stored.row.id);
    return { model: { version: stored.row.version, classifier: TextClassifier.deserialize(existing!), metrics: stored.row.metrics }, created: false, metrics: stored.row.metrics as ModelMetrics };
  }
  const loaded = { version: stored.row.version, classifier: model, metrics };
  // Kept, so that the next look (which reads the counter: this process changed it) finds it loaded.
  stateOf(db).loaded = loaded;
  return { model: loaded, created: true, metrics };
}

/** Makes an earlier version active again (a rollback); every process switches within seconds. */
export async function activateModelVersion(db: Db, version: string): Promise<boolean> {
  const done = await db.transaction(async (tx) => {
    await lock(tx);
    const row = await activateVersion(tx, version);
    if (row) await watch.bump(tx);
    return Boolean(row);
  });
  watch.changed();
  return done;
}
