// The classifier itself: TF-IDF over the terms of features.ts and a multinomial logistic
// regression (softmax) trained with plain SGD, its probabilities calibrated by one temperature
// fitted on a validation split. Weights are one Float32Array, a row of class weights per term,
// so classifying a text costs (terms in the text × classes) multiply-adds. No native code.
import { gunzipSync, gzipSync } from 'node:zlib';
import { displayTerm, termsOf } from './features.ts';

export interface Example {
  text: string;
  category: string;
  /** Paraphrases of one situation share a group; a validation split keeps a group together. */
  group?: string | undefined;
  /** Never held back for validation (composed, easy examples would flatter it). */
  fitOnly?: boolean | undefined;
}

export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  /** L2 penalty, applied to the weights a training example touches. */
  l2?: number;
  /** A term must occur in at least this many training texts. */
  minDf?: number;
  /**
   * Terms spread evenly over the categories (boilerplate such as 市民来电反映, 请尽快处理) are
   * dropped: those whose category entropy exceeds this share of the maximum.
   */
  maxEntropy?: number;
  /** Share of groups held back to fit the temperature. */
  validationShare?: number;
  seed?: number;
  /** Epochs over all examples after the temperature is fitted. */
  finishEpochs?: number;
}

export const defaultTrainOptions: Required<TrainOptions> = { epochs: 4, finishEpochs: 2, learningRate: 4, l2: 1e-5, minDf: 3, maxEntropy: 0.9, validationShare: 0.2, seed: 7 };

export interface ModelParams {
  classes: string[];
  terms: string[];
  idf: Float32Array;
  /** terms.length × classes.length, row-major by term. */
  weights: Float32Array;
  bias: Float32Array;
  temperature: number;
}

export interface Ranked {
  category: string;
  confidence: number;
}

export interface Prediction {
  /** Every class, most likely first. */
  ranked: Ranked[];
  /** The terms that weighed most for the top class. */
  terms: { term: string; weight: number }[];
}

interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

export class TextClassifier {
  readonly classes: string[];
  readonly terms: string[];
  readonly temperature: number;
  private readonly index: Map<string, number>;
  private readonly idf: Float32Array;
  private readonly weights: Float32Array;
  private readonly bias: Float32Array;

  constructor(params: ModelParams) {
    this.classes = params.classes;
    this.terms = params.terms;
    this.idf = params.idf;
    this.weights = params.weights;
    this.bias = params.bias;
    this.temperature = params.temperature;
    this.index = new Map(params.terms.map((t, i) => [t, i]));
  }

  params(): ModelParams {
    return { classes: this.classes, terms: this.terms, idf: this.idf, weights: this.weights, bias: this.bias, temperature: this.temperature };
  }

  vectorize(text: string): SparseVector {
    return vectorize(termsOf(text), this.index, this.idf);
  }

  /** Raw scores (before temperature) of every class. */
  logits(x: SparseVector): Float64Array {
    const C = this.classes.length;
    const z = new Float64Array(C);
    for (let c = 0; c < C; c++) z[c] = this.bias[c]!;
    for (let j = 0; j < x.idx.length; j++) {
      const row = x.idx[j]! * C;
      const v = x.val[j]!;
      for (let c = 0; c < C; c++) z[c] = z[c]! + v * this.weights[row + c]!;
    }
    return z;
  }

  predict(text: string, explain = 5): Prediction {
    const x = this.vectorize(text);
    const z = this.logits(x);
    const p = softmax(z, this.temperature);
    const order = [...p.keys()].sort((a, b) => p[b]! - p[a]!);
    const ranked = order.map((c) => ({ category: this.classes[c]!, confidence: p[c]! }));
    return { ranked, terms: explain > 0 ? this.explain(x, order[0]!, explain) : [] };
  }

  /**
   * The terms with the largest positive contribution to class `c`. A single character's share
   * goes to the strongest longer term containing it (煤 and 气 count for 煤气), and a term
   * inside one already chosen is not repeated.
   */
  private explain(x: SparseVector, c: number, limit: number): { term: string; weight: number }[] {
    const C = this.classes.length;
    const byTerm = new Map<string, number>();
    for (let j = 0; j < x.idx.length; j++) {
      const contribution = x.val[j]! * this.weights[x.idx[j]! * C + c]!;
      if (contribution <= 0) continue;
      const shown = displayTerm(this.terms[x.idx[j]!]!);
      byTerm.set(shown, (byTerm.get(shown) ?? 0) + contribution);
    }
    const longer = [...byTerm].filter(([t]) => Array.from(t).length > 1).sort((a, b) => b[1] - a[1]);
    for (const [term, weight] of [...byTerm]) {
      if (Array.from(term).length > 1) continue;
      const host = longer.find(([t]) => t.includes(term));
      if (!host) continue;
      byTerm.set(host[0], byTerm.get(host[0])! + weight);
      byTerm.delete(term);
    }
    const chosen: { term: string; weight: number }[] = [];
    for (const [term, weight] of [...byTerm].sort((a, b) => b[1] - a[1])) {
      if (chosen.some((t) => t.term.includes(term) || term.includes(t.term))) continue;
      chosen.push({ term, weight: Math.round(weight * 1000) / 1000 });
      if (chosen.length === limit) break;
    }
    return chosen;
  }

  /**
   * Bytes to store: a JSON header (classes, terms, temperature), then IDF, bias and one scale per
   * term as float32, then the weights quantised to int8 per term row (w ≈ q × scale), gzipped.
   * Quantising costs nothing measurable in accuracy and shrinks a model about fourfold.
   */
  serialize(): Uint8Array {
    const header = new TextEncoder().encode(JSON.stringify({ format: 'gongzhi-softmax-q8/1', classes: this.classes, terms: this.terms, temperature: this.temperature }));
    const F = this.terms.length;
    const C = this.classes.length;
    const offset = align4(4 + header.length);
    const buf = new Uint8Array(offset + (F + C + F) * 4 + F * C);
    new DataView(buf.buffer).setUint32(0, header.length, true);
    buf.set(header, 4);
    const floats = new Float32Array(buf.buffer, offset, F + C + F);
    floats.set(this.idf, 0);
    floats.set(this.bias, F);
    const q = new Int8Array(buf.buffer, offset + (F + C + F) * 4, F * C);
    for (let f = 0; f < F; f++) {
      let max = 0;
      for (let c = 0; c < C; c++) max = Math.max(max, Math.abs(this.weights[f * C + c]!));
      const scale = max / 127 || 1;
      floats[F + C + f] = scale;
      for (let c = 0; c < C; c++) q[f * C + c] = Math.round(this.weights[f * C + c]! / scale);
    }
    return gzipSync(buf, { level: 6 });
  }

  static deserialize(bytes: Uint8Array): TextClassifier {
    const buf = gunzipSync(bytes);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const headerLength = view.getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(buf.subarray(4, 4 + headerLength))) as { format: string; classes: string[]; terms: string[]; temperature: number };
    if (header.format !== 'gongzhi-softmax-q8/1') throw new Error(`Unknown classifier model format ${header.format}`);
    const F = header.terms.length;
    const C = header.classes.length;
    const offset = align4(4 + headerLength);
    // Copy into buffers of our own: the gunzipped one may be pooled and unaligned.
    const floats = new Float32Array(buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + (F + C + F) * 4));
    const q = new Int8Array(buf.buffer.slice(buf.byteOffset + offset + (F + C + F) * 4, buf.byteOffset + offset + (F + C + F) * 4 + F * C));
    const weights = new Float32Array(F * C);
    for (let f = 0; f < F; f++) {
      const scale = floats[F + C + f]!;
      for (let c = 0; c < C; c++) weights[f * C + c] = q[f * C + c]! * scale;
    }
    return new TextClassifier({ classes: header.classes, terms: header.terms, temperature: header.temperature, idf: floats.subarray(0, F), bias: floats.subarray(F, F + C), weights });
  }
}

const align4 = (n: number) => (n + 3) & ~3;

export function softmax(z: ArrayLike<number>, temperature = 1): Float64Array {
  const p = new Float64Array(z.length);
  let max = -Infinity;
  for (let c = 0; c < z.length; c++) max = Math.max(max, z[c]! / temperature);
  let sum = 0;
  for (let c = 0; c < z.length; c++) sum += p[c] = Math.exp(z[c]! / temperature - max);
  for (let c = 0; c < z.length; c++) p[c]! /= sum;
  return p;
}

/** Sublinear TF × IDF, L2-normalised; terms outside the vocabulary are dropped. */
function vectorize(counts: Map<string, number>, index: Map<string, number>, idf: Float32Array): SparseVector {
  const idx: number[] = [];
  const val: number[] = [];
  let norm = 0;
  for (const [term, n] of counts) {
    const i = index.get(term);
    if (i === undefined) continue;
    const w = (1 + Math.log(n)) * idf[i]!;
    idx.push(i);
    val.push(w);
    norm += w * w;
  }
  norm = Math.sqrt(norm) || 1;
  return { idx: Int32Array.from(idx), val: Float32Array.from(val, (v) => v / norm) };
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

/** Vocabulary and IDF from the texts' term counts. */
function vocabulary(docs: Map<string, number>[], ys: Int32Array, C: number, o: Required<TrainOptions>): { terms: string[]; index: Map<string, number>; idf: Float32Array } {
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  let keep = [...df].filter(([, n]) => n >= o.minDf).map(([t]) => t);
  if (o.maxEntropy < 1) {
    // Documents per category for the frequent terms (rare ones cannot be spread evenly anyway).
    const frequent = new Map(keep.filter((t) => df.get(t)! >= 2 * C).map((t, i) => [t, i]));
    const perClass = new Float64Array(frequent.size * C);
    docs.forEach((d, n) => {
      for (const t of d.keys()) {
        const i = frequent.get(t);
        if (i !== undefined) perClass[i * C + ys[n]!]!++;
      }
    });
    const limit = o.maxEntropy * Math.log(C);
    keep = keep.filter((t) => {
      const i = frequent.get(t);
      if (i === undefined) return true;
      const total = df.get(t)!;
      let h = 0;
      for (let c = 0; c < C; c++) {
        const p = perClass[i * C + c]! / total;
        if (p > 0) h -= p * Math.log(p);
      }
      return h <= limit;
    });
  }
  const terms = keep.sort();
  const idf = Float32Array.from(terms, (t) => Math.log((1 + docs.length) / (1 + df.get(t)!)) + 1);
  return { terms, index: new Map(terms.map((t, i) => [t, i])), idf };
}

/**
 * Softmax regression by SGD with a linearly decaying step; deterministic for a seed. Only the
 * classes with a gradient above 1e-5 are updated (and decayed), which keeps an epoch cheap once
 * the model is sure of most texts; weights are kept in doubles while training.
 */
interface Weights {
  weights: Float64Array;
  bias: Float64Array;
}

function fit(xs: SparseVector[], ys: Int32Array, C: number, o: Required<TrainOptions>, start: Weights, epochs: number, rate: number): Weights {
  const { weights, bias } = start;
  const order = Int32Array.from(xs.keys());
  const random = rng(o.seed);
  const z = new Float64Array(C);
  const active = new Int32Array(C);
  const grad = new Float64Array(C);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const k = Math.floor(random() * (i + 1));
      const t = order[i]!;
      order[i] = order[k]!;
      order[k] = t;
    }
    const lr = rate * (1 - epoch / epochs) + 0.01;
    const decay = 1 - lr * o.l2;
    for (let n = 0; n < order.length; n++) {
      const x = xs[order[n]!]!;
      const y = ys[order[n]!]!;
      const idx = x.idx;
      const val = x.val;
      const nnz = idx.length;
      for (let c = 0; c < C; c++) z[c] = bias[c]!;
      for (let j = 0; j < nnz; j++) {
        const row = idx[j]! * C;
        const v = val[j]!;
        for (let c = 0; c < C; c++) z[c] = z[c]! + v * weights[row + c]!;
      }
      let max = -Infinity;
      for (let c = 0; c < C; c++) if (z[c]! > max) max = z[c]!;
      let sum = 0;
      for (let c = 0; c < C; c++) {
        const e = Math.exp(z[c]! - max);
        z[c] = e;
        sum += e;
      }
      // The gradient of the loss w.r.t. the scores: p - onehot(y), for the classes that matter.
      let k = 0;
      for (let c = 0; c < C; c++) {
        const g = z[c]! / sum - (c === y ? 1 : 0);
        if (g > 1e-5 || g < -1e-5) {
          active[k] = c;
          grad[k++] = g;
        }
      }
      for (let j = 0; j < nnz; j++) {
        const row = idx[j]! * C;
        const step = lr * val[j]!;
        for (let a = 0; a < k; a++) {
          const at = row + active[a]!;
          weights[at] = weights[at]! * decay - step * grad[a]!;
        }
      }
      for (let a = 0; a < k; a++) bias[active[a]!]! -= lr * grad[a]!;
    }
  }
  return { weights, bias };
}

/** Mean negative log-likelihood of the labels at temperature `t` (log-sum-exp, no allocation). */
function meanNll(logits: Float64Array[], ys: number[], t: number): number {
  let total = 0;
  logits.forEach((z, i) => {
    let max = -Infinity;
    for (let c = 0; c < z.length; c++) max = Math.max(max, z[c]! / t);
    let sum = 0;
    for (let c = 0; c < z.length; c++) sum += Math.exp(z[c]! / t - max);
    total += max + Math.log(sum) - z[ys[i]!]! / t;
  });
  return total / Math.max(1, logits.length);
}

/** The temperature that minimises the validation NLL: golden-section search over log T in [0.05, 20]. */
function fitTemperature(logits: Float64Array[], ys: number[]): number {
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let k = 0; k < 40; k++) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    if (meanNll(logits, ys, Math.exp(a)) < meanNll(logits, ys, Math.exp(b))) hi = b;
    else lo = a;
  }
  return Math.exp((lo + hi) / 2);
}

export interface TrainReport {
  examples: number;
  classes: number;
  features: number;
  temperature: number;
  /** On the validation split (groups never seen by the model it evaluates). */
  validation: { examples: number; top1: number; nllBefore: number; nllAfter: number };
  ms: number;
}

/**
 * Trains on `examples`: first on most groups, to fit the temperature on the rest, then on all of
 * them with that temperature. `classes` fixes the label set (every leaf category, even one
 * without examples); examples of other labels are ignored.
 */
export function trainClassifier(examples: Example[], classes: string[], options: TrainOptions = {}): { model: TextClassifier; report: TrainReport } {
  const started = performance.now();
  const o = { ...defaultTrainOptions, ...options };
  const known = new Set(classes);
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const usable = examples.filter((e) => known.has(e.category) && e.text.trim().length > 0);
  const docs = usable.map((e) => termsOf(e.text));
  const ys = Int32Array.from(usable, (e) => classIndex.get(e.category)!);
  const C = classes.length;
  // One vocabulary for both steps: a term only validation texts have keeps a zero weight in step 1.
  const { terms, index, idf } = vocabulary(docs, ys, C, o);
  const xs = docs.map((d) => vectorize(d, index, idf));
  const isValidation = usable.map((e) => !e.fitOnly && hash(`${o.seed}:${e.group ?? e.text}`) < o.validationShare);

  // Step 1: fit on most groups; fit the temperature on the held-back ones.
  const fitXs = xs.filter((_, i) => !isValidation[i]);
  const fitYs = ys.filter((_, i) => !isValidation[i]);
  const w: Weights = { weights: new Float64Array(terms.length * C), bias: new Float64Array(C) };
  fit(fitXs, fitYs, C, o, w, o.epochs, o.learningRate);
  const probe = new TextClassifier({ classes, terms, idf, weights: Float32Array.from(w.weights), bias: Float32Array.from(w.bias), temperature: 1 });
  const valLogits: Float64Array[] = [];
  const valYs: number[] = [];
  let right = 0;
  xs.forEach((x, i) => {
    if (!isValidation[i]) return;
    const z = probe.logits(x);
    valLogits.push(z);
    valYs.push(ys[i]!);
    let best = 0;
    for (let c = 1; c < z.length; c++) if (z[c]! > z[best]!) best = c;
    if (best === ys[i]) right++;
  });
  const temperature = valLogits.length >= 20 ? fitTemperature(valLogits, valYs) : 1;
  const nll = (t: number) => meanNll(valLogits, valYs, t);

  // Step 2: continue on every example, at a lower rate, so the held-back texts are learnt too.
  if (valLogits.length > 0) fit(xs, ys, C, o, w, o.finishEpochs, o.learningRate / 2);
  const model = new TextClassifier({ classes, terms, idf, weights: Float32Array.from(w.weights), bias: Float32Array.from(w.bias), temperature });
  return {
    model,
    report: {
      examples: usable.length,
      classes: C,
      features: terms.length,
      temperature: Math.round(temperature * 1000) / 1000,
      validation: {
        examples: valLogits.length,
        top1: valLogits.length ? Math.round((right / valLogits.length) * 10000) / 10000 : 0,
        nllBefore: Math.round(nll(1) * 1000) / 1000,
        nllAfter: Math.round(nll(temperature) * 1000) / 1000,
      },
      ms: Math.round(performance.now() - started),
    },
  };
}
