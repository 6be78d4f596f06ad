// Text → terms, the features of the classifier. Text is normalised first: NFKC (full-width ３栋 →
// 3栋), lower case, and every digit → 0, so "3栋2单元" and "12栋1801" share "0栋". Then:
//   - character n-grams inside runs of letters and digits (robust to typos and to words the
//     segmenter splits oddly);
//   - the words Intl.Segmenter finds, prefixed "w:".
// A model records the feature set it was trained with, so a stored model keeps being served with
// the terms it knows:
//   1  character 1–3-grams, words of two or more characters (models stored before feature sets
//      were recorded);
//   2  character 1–2-grams, and every word, single-character words too (猫, 狗, 蚊, 吵 …).
// Set 2 generalises better to statements and channel frames the model has not seen (measured by
// `npm run eval:classifier -- --dev`, never on the held-out file): character trigrams, 4-grams and
// word bigrams are too rare in a few hundred examples per category to be learnt, and mostly
// memorise the training sentences; the single-character words the segmenter isolates are where
// short colloquial texts carry their meaning.

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const run = /[\p{L}\p{N}]+/gu;

export type FeatureSet = 1 | 2;
export const currentFeatureSet: FeatureSet = 2;

export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\d/g, '0');
}

/** Adds each term of `text` to `out` with its count. */
export function termsOf(text: string, out: Map<string, number> = new Map(), set: FeatureSet = currentFeatureSet): Map<string, number> {
  const norm = normalize(text);
  const maxN = set === 1 ? 3 : 2;
  for (const m of norm.matchAll(run)) {
    const chars = Array.from(m[0]);
    for (let i = 0; i < chars.length; i++) {
      let gram = '';
      for (let n = 0; n < maxN && i + n < chars.length; n++) {
        gram += chars[i + n];
        out.set(gram, (out.get(gram) ?? 0) + 1);
      }
    }
  }
  const minWord = set === 1 ? 2 : 1;
  for (const s of segmenter.segment(norm)) {
    if (s.isWordLike && s.segment.length >= minWord) {
      const key = `w:${s.segment}`;
      out.set(key, (out.get(key) ?? 0) + 1);
    }
  }
  return out;
}

/** How a term is shown to people: words without their prefix. */
export function displayTerm(term: string): string {
  return term.startsWith('w:') ? term.slice(2) : term;
}
