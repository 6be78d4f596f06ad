// `npm run eval:classifier`: trains the classifier on the shipped training corpus exactly as the
// product does (no database needed), then measures it on the held-out file it never saw:
// top-1/top-3 accuracy, per-category precision and recall, the most confused pairs, calibration,
// the auto-dispatch share and precision at the threshold, urgency detection, and time per text.
//   npm run eval:classifier [-- --errors] [-- --dev]
//     --errors  lists every wrong held-out answer
//     --dev     also runs the development check used to tune without the held-out file: 5 folds of
//               grouped cross-validation on the training statements, each training on half the
//               channel frames (alternately the even and the odd ones) and testing on statements
//               never trained on, put in the other half of the frames
import { defaultClassifierThreshold, loadConfig } from '../src/server/config.ts';
import { classifyWith } from '../src/server/modules/classifier/classifier.service.ts';
import { readCorpus, taxonomyLeaves } from '../src/server/modules/classifier/corpus.ts';
import { TextClassifier, trainClassifier } from '../src/server/modules/classifier/model.ts';
import { buildTrainWithFrames } from '../src/server/data/classifier/build-corpus.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const pad = (s: string | number, n: number) => String(s).padEnd(n);
const lpad = (s: string | number, n: number) => String(s).padStart(n);
const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');

const threshold = loadConfig(process.env).classifierThreshold;
const train = readCorpus('train.jsonl');
const heldout = readCorpus('heldout.jsonl');
const classes = taxonomyLeaves();

const trainStarted = performance.now();
const { model: trained, report } = trainClassifier(train, classes);
const trainMs = performance.now() - trainStarted;
const bytes = trained.serialize();
const model = TextClassifier.deserialize(bytes); // evaluate what the product stores and serves

console.log(`Training: ${report.examples} examples (train.jsonl), ${report.classes} categories, ${report.features} terms, ${Math.round(trainMs)} ms, model ${(bytes.length / 1024).toFixed(0)} KB`);
console.log(`Calibration: naive-Bayes evidence weight ${report.evidenceWeight}, temperature ${report.temperature} fitted on ${report.validation.examples} validation texts (NLL ${report.validation.nllBefore} → ${report.validation.nllAfter}; validation top-1 ${pct(report.validation.top1)})`);
console.log(`Held-out: ${heldout.length} texts (heldout.jsonl), never trained on\n`);

// Predictions, timed (classification + urgency rules, as POST /classify does), after a warm-up.
for (const h of heldout.slice(0, 200)) classifyWith(model, 'eval', h.text);
const rounds = 5;
const timed = performance.now();
for (let r = 0; r < rounds; r++) for (const h of heldout) classifyWith(model, 'eval', h.text);
const msPerText = (performance.now() - timed) / (rounds * heldout.length);
const results = heldout.map((h) => {
  const { ranked } = model.predict(h.text, 0);
  return { h, ranked, urgent: classifyWith(model, 'eval', h.text).urgent };
});

const top1 = results.filter((r) => r.ranked[0]!.category === r.h.category).length / results.length;
const top3 = results.filter((r) => r.ranked.slice(0, 3).some((x) => x.category === r.h.category)).length / results.length;
const above = results.filter((r) => r.ranked[0]!.confidence >= threshold);
const share = above.length / results.length;
const precision = above.filter((r) => r.ranked[0]!.category === r.h.category).length / Math.max(1, above.length);

console.log('| figure | value | target | |');
console.log('|---|---:|---:|---|');
console.log(`| top-1 accuracy | ${pct(top1)} | ≥ 90 % | ${mark(top1 >= 0.9)} |`);
console.log(`| top-3 accuracy | ${pct(top3)} | ≥ 97 % | ${mark(top3 >= 0.97)} |`);
console.log(`| auto-dispatched at threshold ${threshold} | ${pct(share)} | ≥ 70 % | ${mark(share >= 0.7)} |`);
console.log(`| precision of auto-dispatched | ${pct(precision)} | ≥ 95 % | ${mark(precision >= 0.95)} |`);
console.log(`| time per text (classify + urgency) | ${msPerText.toFixed(3)} ms | ≤ 1 ms | ${mark(msPerText <= 1)} |`);

// Per category.
console.log('\nPer category (held-out):\n');
console.log(`| ${pad('category', 22)} | n | precision | recall |`);
console.log('|---|---:|---:|---:|');
for (const c of classes) {
  const n = results.filter((r) => r.h.category === c).length;
  const predicted = results.filter((r) => r.ranked[0]!.category === c);
  const tp = predicted.filter((r) => r.h.category === c).length;
  console.log(`| ${pad(c, 22)} | ${n} | ${predicted.length ? pct(tp / predicted.length) : '—'} | ${n ? pct(tp / n) : '—'} |`);
}

// Most confused pairs.
const pairs = new Map<string, number>();
for (const r of results) if (r.ranked[0]!.category !== r.h.category) pairs.set(`${r.h.category} → ${r.ranked[0]!.category}`, (pairs.get(`${r.h.category} → ${r.ranked[0]!.category}`) ?? 0) + 1);
console.log('\nMost confused (true → predicted, count):\n');
for (const [pair, n] of [...pairs].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${lpad(n, 3)}  ${pair}`);

// Thresholds.
console.log('\nAuto-dispatch by threshold:\n');
console.log('| threshold | auto-dispatched | precision above |');
console.log('|---:|---:|---:|');
for (const t of [0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9]) {
  const a = results.filter((r) => r.ranked[0]!.confidence >= t);
  const p = a.filter((r) => r.ranked[0]!.category === r.h.category).length / Math.max(1, a.length);
  console.log(`| ${t}${t === threshold ? ' (configured)' : ''} | ${pct(a.length / results.length)} | ${pct(p)} |`);
}
console.log(`(default CLASSIFIER_THRESHOLD is ${defaultClassifierThreshold})`);

// Calibration: expected calibration error over 10 confidence bins.
let ece = 0;
for (let b = 0; b < 10; b++) {
  const bin = results.filter((r) => Math.min(9, Math.floor(r.ranked[0]!.confidence * 10)) === b);
  if (bin.length === 0) continue;
  const conf = bin.reduce((s, r) => s + r.ranked[0]!.confidence, 0) / bin.length;
  const acc = bin.filter((r) => r.ranked[0]!.category === r.h.category).length / bin.length;
  ece += (bin.length / results.length) * Math.abs(conf - acc);
}
console.log(`\nCalibration: expected calibration error ${pct(ece)} (10 bins)`);

// Urgency rules against the held-out labels.
const tp = results.filter((r) => r.urgent && r.h.urgent).length;
const fp = results.filter((r) => r.urgent && !r.h.urgent).length;
const fn = results.filter((r) => !r.urgent && r.h.urgent).length;
console.log(`Urgency: ${tp + fn} urgent texts in held-out; recall ${pct(tp / Math.max(1, tp + fn))}, precision ${pct(tp / Math.max(1, tp + fp))} (${fp} false alarms, ${fn} missed)`);

if (process.argv.includes('--errors')) {
  console.log('\nWrong answers:\n');
  for (const r of results) if (r.ranked[0]!.category !== r.h.category) console.log(`  ${r.h.category} → ${r.ranked[0]!.category} (${r.ranked[0]!.confidence.toFixed(2)}): ${r.h.text}`);
  for (const r of results) if (r.urgent !== Boolean(r.h.urgent)) console.log(`  urgency ${r.urgent ? 'false alarm' : 'missed'}: ${r.h.text}`);
}

if (process.argv.includes('--dev')) {
  const hash = (text: string) => {
    let h = 2166136261;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
    return (h >>> 0) / 4294967296;
  };
  const lines = (keep: (k: number) => boolean) => buildTrainWithFrames(keep).map((l) => ({ ...l, fitOnly: l.group.includes('/composed/') }));
  const halves = [lines((k) => k % 2 === 0), lines((k) => k % 2 === 1)];
  const folds = 5;
  let n = 0;
  let right1 = 0;
  let right3 = 0;
  let auto = 0;
  let autoRight = 0;
  for (let fold = 0; fold < folds; fold++) {
    const inFold = (e: { fitOnly: boolean; group: string }) => !e.fitOnly && Math.floor(hash(`f:${e.group}`) * folds) === fold;
    const { model: m } = trainClassifier(halves[fold % 2]!.filter((e) => !inFold(e)), classes);
    for (const e of halves[1 - (fold % 2)]!.filter(inFold)) {
      const { ranked } = m.predict(e.text, 0);
      n++;
      if (ranked[0]!.category === e.category) right1++;
      if (ranked.slice(0, 3).some((x) => x.category === e.category)) right3++;
      if (ranked[0]!.confidence >= threshold) {
        auto++;
        if (ranked[0]!.category === e.category) autoRight++;
      }
    }
  }
  console.log(`\nDevelopment check (leave-frames-out, leave-statements-out, ${n} texts): top-1 ${pct(right1 / n)}, top-3 ${pct(right3 / n)}, auto-dispatched ${pct(auto / n)} at ${pct(autoRight / Math.max(1, auto))} precision`);
}
