// The classifier itself: two linear scorers over the terms of features.ts, added up:
//   - a multinomial logistic regression (softmax) on TF-IDF, trained with plain SGD;
//   - naive-Bayes evidence: every term present adds its log-probability under each category
//     (binary counts, additive smoothing), scaled by a weight.
// The regression separates the categories it has seen well; the evidence generalises better to
// wording it has not seen (a rare term still counts for the category it came with). The evidence
// weight and one temperature that calibrates the probabilities are fitted together on a
// validation split of the training corpus. Weights are Float32Arrays with a row of class weights
// per term, so classifying a text costs (terms in the text × classes × 2) multiply-adds, and the
// explanation of a decision is the sum of both parts per term. No native code.
import { gunzipSync, gzipSync } from 'node:zlib';
import { currentFeatureSet, displayTerm, forEachGramKey, forEachTerm, gramKey, termsOf, type FeatureSet } from './features.ts';
import { mulberry32 } from '../../lib/random.ts';

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
  /** Additive smoothing of the naive-Bayes evidence (per term and category). */
  nbAlpha?: number;
  /** The evidence's terms: in at least this many texts, and category entropy at most this share (1: any). */
  nbMinDf?: number;
  nbMaxEntropy?: number;
  /**
   * Weights of the naive-Bayes evidence to choose from (by validation log-likelihood, with the
   * temperature); [0] turns it off. Without a validation split the first non-zero one is used.
   */
  nbWeights?: number[];
}

export const defaultTrainOptions: Required<TrainOptions> = {
  epochs: 4,
  finishEpochs: 2,
  learningRate: 4,
  l2: 1e-5,
  minDf: 3,
  maxEntropy: 0.9,
  validationShare: 0.2,
  seed: 7,
  nbAlpha: 0.05,
  nbMinDf: 2,
  nbMaxEntropy: 1,
  nbWeights: [0, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2],
};

export interface ModelParams {
  classes: string[];
  terms: string[];
  idf: Float32Array;
  /** terms.length × classes.length, row-major by term: regression weights (× TF-IDF value). */
  weights: Float32Array;
  /**
   * terms.length × classes.length: the naive-Bayes evidence a term adds when present, already
   * scaled by its weight (absent in models stored before it existed: all zero).
   */
  evidence?: Float32Array | undefined;
  bias: Float32Array;
  temperature: number;
  /** The terms of features.ts the model was trained with (1 for models stored before it was recorded). */
  featureSet?: FeatureSet | undefined;
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
  readonly featureSet: FeatureSet;
  /** The vocabulary's index by term (feature sets 1 and 2) or by gramKey (set 3, features.ts). */
  private readonly index: Map<string, number> | undefined;
  private readonly keyIndex: Map<number, number> | undefined;
  /** The terms as people see them (displayTerm), made once. */
  private readonly shown: string[];
  private readonly idf: Float32Array;
  private readonly weights: Float32Array;
  private readonly evidence: Float32Array | undefined;
  private readonly bias: Float32Array;
  /** Scratch counts by term index for vectorize (zero between calls). */
  private readonly counts: Uint32Array;

  constructor(params: ModelParams) {
    this.classes = params.classes;
    this.terms = params.terms;
    this.idf = params.idf;
    this.weights = params.weights;
    this.evidence = params.evidence;
    this.bias = params.bias;
    this.temperature = params.temperature;
    this.featureSet = params.featureSet ?? 1;
    if (this.featureSet === 3) {
      const keyIndex = new Map<number, number>();
      params.terms.forEach((t, i) => {
        const key = gramKey(t);
        if (key !== undefined) keyIndex.set(key, i);
      });
      this.keyIndex = keyIndex;
    } else {
      this.index = new Map(params.terms.map((t, i) => [t, i]));
    }
    this.shown = params.terms.map(displayTerm);
    this.counts = new Uint32Array(params.terms.length);
  }

  params(): ModelParams {
    return { classes: this.classes, terms: this.terms, idf: this.idf, weights: this.weights, evidence: this.evidence, bias: this.bias, temperature: this.temperature, featureSet: this.featureSet };
  }

  vectorize(text: string): SparseVector {
    // Counted by term index in a scratch array (no map of strings); known terms in order of
    // appearance, as vectorize() takes them from termsOf.
    const counts = this.counts;
    const seen: number[] = [];
    const count = (i: number | undefined) => {
      if (i !== undefined && counts[i]!++ === 0) seen.push(i);
    };
    const keyIndex = this.keyIndex;
    if (keyIndex) forEachGramKey(text, (key) => count(keyIndex.get(key)));
    else forEachTerm(text, this.featureSet, (term) => count(this.index!.get(term)));
    const idx = new Int32Array(seen.length);
    const n = new Uint32Array(seen.length);
    for (let k = 0; k < seen.length; k++) {
      idx[k] = seen[k]!;
      n[k] = counts[seen[k]!]!;
      counts[seen[k]!] = 0;
    }
    return tfIdf(idx, n, this.idf);
  }

  /** Raw scores (before temperature) of every class. */
  logits(x: SparseVector): Float64Array {
    const C = this.classes.length;
    const z = new Float64Array(C);
    for (let c = 0; c < C; c++) z[c] = this.bias[c]!;
    const w = this.weights;
    const e = this.evidence;
    for (let j = 0; j < x.idx.length; j++) {
      const row = x.idx[j]! * C;
      const v = x.val[j]!;
      if (e) for (let c = 0; c < C; c++) z[c] = z[c]! + v * w[row + c]! + e[row + c]!;
      else for (let c = 0; c < C; c++) z[c] = z[c]! + v * w[row + c]!;
    }
    return z;
  }

  /** The `top` most likely classes (all by default) and the `explain` terms that weighed most for the first. */
  predict(text: string, explain = 5, top = this.classes.length): Prediction {
    const x = this.vectorize(text);
    const p = softmax(this.logits(x), this.temperature);
    const order = largestFirst(p, top);
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
    // Positive contributions by term as shown (a word and the same n-gram add up), in order of appearance.
    const terms: string[] = [];
    const weights: number[] = [];
    for (let j = 0; j < x.idx.length; j++) {
      const at = x.idx[j]! * C + c;
      const contribution = x.val[j]! * this.weights[at]! + (this.evidence?.[at] ?? 0);
      if (contribution <= 0) continue;
      const shown = this.shown[x.idx[j]!]!;
      const k = terms.indexOf(shown);
      if (k >= 0) {
        weights[k]! += contribution;
      } else {
        terms.push(shown);
        weights.push(contribution);
      }
    }
    // Each character's host: the strongest longer term holding it (ranked before any share moves).
    const longer = terms.map((_, k) => k).filter((k) => !isOneCharacter(terms[k]!));
    longer.sort((a, b) => weights[b]! - weights[a]!);
    const host = new Map<string, number>();
    for (const k of longer) for (const ch of terms[k]!) if (!host.has(ch)) host.set(ch, k);
    const kept: number[] = [];
    for (let k = 0; k < terms.length; k++) {
      const h = isOneCharacter(terms[k]!) ? host.get(terms[k]!) : undefined;
      if (h === undefined) kept.push(k);
      else weights[h]! += weights[k]!;
    }
    kept.sort((a, b) => weights[b]! - weights[a]!);
    const chosen: { term: string; weight: number }[] = [];
    for (const k of kept) {
      const term = terms[k]!;
      if (chosen.some((t) => t.term.includes(term) || term.includes(t.term))) continue;
      chosen.push({ term, weight: Math.round(weights[k]! * 1000) / 1000 });
      if (chosen.length === limit) break;
    }
    return chosen;
  }

  /**
   * Bytes to store: a JSON header (format, classes, terms, temperature, feature set), then as
   * float32 the IDF, the bias and one scale per term row of each matrix, then the matrices
   * (regression weights, then naive-Bayes evidence) quantised to int8 per term row
   * (w ≈ q × scale), gzipped. Quantising costs nothing measurable in accuracy and shrinks a model
   * about fourfold.
   *   gongzhi-softmax-q8/1  weights only, feature set 1 (models stored before version 2: still read)
   *   gongzhi-softmax-q8/2  weights and evidence, with the feature set in the header
   */
  serialize(): Uint8Array {
    const matrices = this.evidence ? [this.weights, this.evidence] : [this.weights];
    const format = this.evidence || this.featureSet !== 1 ? 'gongzhi-softmax-q8/2' : 'gongzhi-softmax-q8/1';
    const head = format === 'gongzhi-softmax-q8/1' ? {} : { featureSet: this.featureSet, matrices: matrices.length };
    const header = new TextEncoder().encode(JSON.stringify({ format, classes: this.classes, terms: this.terms, temperature: this.temperature, ...head }));
    const F = this.terms.length;
    const C = this.classes.length;
    const M = matrices.length;
    const nFloats = F + C + M * F;
    const offset = align4(4 + header.length);
    const buf = new Uint8Array(offset + nFloats * 4 + M * F * C);
    new DataView(buf.buffer).setUint32(0, header.length, true);
    buf.set(header, 4);
    const floats = new Float32Array(buf.buffer, offset, nFloats);
    floats.set(this.idf, 0);
    floats.set(this.bias, F);
    matrices.forEach((m, k) => {
      const q = new Int8Array(buf.buffer, offset + nFloats * 4 + k * F * C, F * C);
      for (let f = 0; f < F; f++) {
        let max = 0;
        for (let c = 0; c < C; c++) max = Math.max(max, Math.abs(m[f * C + c]!));
        const scale = max / 127 || 1;
        floats[F + C + k * F + f] = scale;
        for (let c = 0; c < C; c++) q[f * C + c] = Math.round(m[f * C + c]! / scale);
      }
    });
    return gzipSync(buf, { level: 6 });
  }

  static deserialize(bytes: Uint8Array): TextClassifier {
    const buf = gunzipSync(bytes);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const headerLength = view.getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(buf.subarray(4, 4 + headerLength))) as { format: string; classes: string[]; terms: string[]; temperature: number; featureSet?: FeatureSet; matrices?: number };
    if (header.format !== 'gongzhi-softmax-q8/1' && header.format !== 'gongzhi-softmax-q8/2') throw new Error(`Unknown classifier model format ${header.format}`);
    const F = header.terms.length;
    const C = header.classes.length;
    const M = header.matrices ?? 1;
    const featureSet = header.featureSet ?? 1;
    if (![1, 2, 3].includes(featureSet)) throw new Error(`Unknown classifier feature set ${String(featureSet)}`);
    const nFloats = F + C + M * F;
    const offset = align4(4 + headerLength);
    // Copy into buffers of our own: the gunzipped one may be pooled and unaligned.
    const floats = new Float32Array(buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + nFloats * 4));
    const matrices = Array.from({ length: M }, (_, k) => {
      const start = buf.byteOffset + offset + nFloats * 4 + k * F * C;
      const q = new Int8Array(buf.buffer.slice(start, start + F * C));
      const m = new Float32Array(F * C);
      for (let f = 0; f < F; f++) {
        const scale = floats[F + C + k * F + f]!;
        for (let c = 0; c < C; c++) m[f * C + c] = q[f * C + c]! * scale;
      }
      return m;
    });
    return new TextClassifier({
      classes: header.classes,
      terms: header.terms,
      temperature: header.temperature,
      featureSet,
      idf: floats.subarray(0, F),
      bias: floats.subarray(F, F + C),
      weights: matrices[0]!,
      evidence: matrices[1],
    });
  }
}

const align4 = (n: number) => (n + 3) & ~3;

/** One character (one code point: a surrogate pair counts once). */
const isOneCharacter = (t: string) => t.length === 1 || (t.length === 2 && t.codePointAt(0)! > 0xffff);

/**
 * Indices of the `k` largest values, largest first; equal values keep their index order (as a
 * stable sort would). Insertion into a list of at most k: for the few a classification needs,
 * some C × k steps instead of sorting all C classes with a comparator call per step.
 */
export function largestFirst(values: ArrayLike<number>, k: number): number[] {
  const out: number[] = [];
  const limit = Math.min(k, values.length);
  if (limit <= 0) return out;
  for (let c = 0; c < values.length; c++) {
    const v = values[c]!;
    if (out.length === limit && v <= values[out[limit - 1]!]!) continue;
    let at = out.length === limit ? limit - 1 : out.length;
    while (at > 0 && values[out[at - 1]!]! < v) {
      out[at] = out[at - 1]!;
      at--;
    }
    out[at] = c;
  }
  return out;
}

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
  // Typed arrays filled in place: TypedArray.from over a plain array costs more than the lookups.
  const idx = new Int32Array(counts.size);
  const n = new Float64Array(counts.size);
  let k = 0;
  for (const [term, count] of counts) {
    const i = index.get(term);
    if (i === undefined) continue;
    idx[k] = i;
    n[k++] = count;
  }
  return tfIdf(idx.subarray(0, k), n, idf);
}

/** The vector of the terms `idx`, each counted `n[k]` times: sublinear TF × IDF, L2-normalised. */
function tfIdf(idx: Int32Array, n: ArrayLike<number>, idf: Float32Array): SparseVector {
  const raw = new Float64Array(idx.length);
  let squares = 0;
  for (let k = 0; k < idx.length; k++) {
    const w = (1 + Math.log(n[k]!)) * idf[idx[k]!]!;
    raw[k] = w;
    squares += w * w;
  }
  const norm = Math.sqrt(squares) || 1;
  const val = new Float32Array(idx.length);
  for (let k = 0; k < idx.length; k++) val[k] = raw[k]! / norm;
  return { idx, val };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

/** The terms that occur in at least `minDf` texts and, if `maxEntropy` < 1, are not spread evenly over the categories. */
function selectTerms(docs: Map<string, number>[], df: Map<string, number>, ys: Int32Array, C: number, minDf: number, maxEntropy: number): Set<string> {
  let keep = [...df].filter(([, n]) => n >= minDf).map(([t]) => t);
  if (maxEntropy < 1) {
    // Documents per category for the frequent terms (rare ones cannot be spread evenly anyway).
    const frequent = new Map(keep.filter((t) => df.get(t)! >= 2 * C).map((t, i) => [t, i]));
    const perClass = new Float64Array(frequent.size * C);
    docs.forEach((d, n) => {
      for (const t of d.keys()) {
        const i = frequent.get(t);
        if (i !== undefined) perClass[i * C + ys[n]!]!++;
      }
    });
    const limit = maxEntropy * Math.log(C);
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
  return new Set(keep);
}

/**
 * Vocabulary and IDF from the texts' term counts: the regression's terms and the evidence's
 * (which keeps rarer ones). A term only the evidence uses gets IDF 0: it adds nothing to the
 * TF-IDF vector, so it changes nothing for the regression.
 */
function vocabulary(docs: Map<string, number>[], ys: Int32Array, C: number, o: Required<TrainOptions>): { terms: string[]; index: Map<string, number>; idf: Float32Array; nbTerms: Uint8Array } {
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const forRegression = selectTerms(docs, df, ys, C, o.minDf, o.maxEntropy);
  const forEvidence = o.nbWeights.some((b) => b > 0) ? selectTerms(docs, df, ys, C, o.nbMinDf, o.nbMaxEntropy) : new Set<string>();
  const terms = [...new Set([...forRegression, ...forEvidence])].sort();
  const idf = Float32Array.from(terms, (t) => (forRegression.has(t) ? Math.log((1 + docs.length) / (1 + df.get(t)!)) + 1 : 0));
  const nbTerms = Uint8Array.from(terms, (t) => (forEvidence.has(t) ? 1 : 0));
  return { terms, index: new Map(terms.map((t, i) => [t, i])), idf, nbTerms };
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
  const random = mulberry32(o.seed);
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
        const v = val[j]!;
        if (v === 0) continue; // a term only the naive-Bayes evidence uses
        const row = idx[j]! * C;
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
        if (val[j] === 0) continue;
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

/**
 * Naive-Bayes evidence over the vocabulary: log P(term | class) from binary counts with additive
 * smoothing `alpha`, centred per term (a shift that every class gets changes nothing) and scaled
 * by `scale`.
 */
function nbEvidence(xs: SparseVector[], ys: Int32Array, nbTerms: Uint8Array, C: number, alpha: number, scale: number): Float32Array {
  const F = nbTerms.length;
  let V = 0;
  for (let f = 0; f < F; f++) V += nbTerms[f]!;
  const counts = new Float64Array(F * C);
  const totals = new Float64Array(C);
  xs.forEach((x, n) => {
    const y = ys[n]!;
    for (let j = 0; j < x.idx.length; j++) {
      if (!nbTerms[x.idx[j]!]) continue;
      counts[x.idx[j]! * C + y]!++;
      totals[y]!++;
    }
  });
  const logTotal = Float64Array.from(totals, (t) => Math.log(t + alpha * V));
  const evidence = new Float32Array(F * C);
  const row = new Float64Array(C);
  for (let f = 0; f < F; f++) {
    if (!nbTerms[f]) continue;
    let mean = 0;
    for (let c = 0; c < C; c++) mean += row[c] = Math.log(counts[f * C + c]! + alpha) - logTotal[c]!;
    mean /= C;
    for (let c = 0; c < C; c++) evidence[f * C + c] = scale * (row[c]! - mean);
  }
  return evidence;
}

/** The evidence of `x` for every class (unscaled when `evidence` was built with scale 1). */
function evidenceOf(x: SparseVector, evidence: Float32Array, C: number): Float64Array {
  const z = new Float64Array(C);
  for (let j = 0; j < x.idx.length; j++) {
    const row = x.idx[j]! * C;
    for (let c = 0; c < C; c++) z[c] = z[c]! + evidence[row + c]!;
  }
  return z;
}

export interface TrainReport {
  examples: number;
  classes: number;
  features: number;
  temperature: number;
  /** Weight of the naive-Bayes evidence (0: regression only). */
  evidenceWeight: number;
  /** On the validation split (groups never seen by the model it evaluates). */
  validation: { examples: number; top1: number; nllBefore: number; nllAfter: number };
  ms: number;
}

/**
 * Trains on `examples`: first on most groups, to fit the evidence weight and the temperature on
 * the rest, then on all of them with those. `classes` fixes the label set (every leaf category,
 * even one without examples); examples of other labels are ignored.
 */
export function trainClassifier(examples: Example[], classes: string[], options: TrainOptions = {}): { model: TextClassifier; report: TrainReport } {
  const started = performance.now();
  const o = { ...defaultTrainOptions, ...options };
  const known = new Set(classes);
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const usable = examples.filter((e) => known.has(e.category) && e.text.trim().length > 0);
  const featureSet = currentFeatureSet;
  const docs = usable.map((e) => termsOf(e.text, new Map(), featureSet));
  const ys = Int32Array.from(usable, (e) => classIndex.get(e.category)!);
  const C = classes.length;
  // One vocabulary for both steps: a term only validation texts have keeps a zero weight in step 1.
  const { terms, index, idf, nbTerms } = vocabulary(docs, ys, C, o);
  const F = terms.length;
  const xs = docs.map((d) => vectorize(d, index, idf));
  const isValidation = usable.map((e) => !e.fitOnly && hash(`${o.seed}:${e.group ?? e.text}`) < o.validationShare);

  // Step 1: fit on most groups; fit the evidence weight and the temperature on the held-back ones.
  const fitXs = xs.filter((_, i) => !isValidation[i]);
  const fitYs = ys.filter((_, i) => !isValidation[i]);
  const w: Weights = { weights: new Float64Array(F * C), bias: new Float64Array(C) };
  fit(fitXs, fitYs, C, o, w, o.epochs, o.learningRate);
  const probe = new TextClassifier({ classes, terms, idf, weights: Float32Array.from(w.weights), bias: Float32Array.from(w.bias), temperature: 1, featureSet });
  const unitEvidence = nbEvidence(fitXs, fitYs, nbTerms, C, o.nbAlpha, 1);
  const regression: Float64Array[] = [];
  const nb: Float64Array[] = [];
  const valYs: number[] = [];
  xs.forEach((x, i) => {
    if (!isValidation[i]) return;
    regression.push(probe.logits(x));
    nb.push(evidenceOf(x, unitEvidence, C));
    valYs.push(ys[i]!);
  });
  const combined = (beta: number) => regression.map((z, i) => z.map((v, c) => v + beta * nb[i]![c]!));
  let evidenceWeight = o.nbWeights.find((b) => b > 0) ?? 0;
  let temperature = 1;
  let valLogits = combined(evidenceWeight);
  if (regression.length >= 20) {
    let best = Infinity;
    for (const beta of o.nbWeights) {
      const logits = combined(beta);
      const t = fitTemperature(logits, valYs);
      const nll = meanNll(logits, valYs, t);
      if (nll < best) [best, evidenceWeight, temperature, valLogits] = [nll, beta, t, logits];
    }
  }
  const right = valLogits.filter((z, i) => z.indexOf(Math.max(...z)) === valYs[i]).length;
  const nll = (t: number) => meanNll(valLogits, valYs, t);

  // Step 2: continue on every example, at a lower rate, so the held-back texts are learnt too.
  if (regression.length > 0) fit(xs, ys, C, o, w, o.finishEpochs, o.learningRate / 2);
  const evidence = evidenceWeight > 0 ? nbEvidence(xs, ys, nbTerms, C, o.nbAlpha, evidenceWeight) : undefined;
  const model = new TextClassifier({ classes, terms, idf, weights: Float32Array.from(w.weights), evidence, bias: Float32Array.from(w.bias), temperature, featureSet });
  return {
    model,
    report: {
      examples: usable.length,
      classes: C,
      features: F,
      temperature: Math.round(temperature * 1000) / 1000,
      evidenceWeight,
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
