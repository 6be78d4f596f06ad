// Text → terms, the features of the classifier. Text is normalised first: NFKC (full-width ３栋 →
// 3栋), lower case, and every digit → 0, so "3栋2单元" and "12栋1801" share "0栋". Then, by the
// model's feature set:
//   - character n-grams inside runs of letters and digits (robust to typos and to words a
//     segmenter splits oddly);
//   - for sets 1 and 2, the words Intl.Segmenter finds, prefixed "w:".
// A model records the feature set it was trained with, so a stored model keeps being served with
// the terms it knows:
//   1  character 1–3-grams, words of two or more characters (models stored before feature sets
//      were recorded);
//   2  character 1–2-grams, and every word, single-character words too (猫, 狗, 蚊, 吵 …);
//   3  character 1–2-grams only (models trained from 2026-11-22 on).
// Set 2 generalised better than set 1 to statements and channel frames the model has not seen
// (measured by `npm run eval:classifier -- --dev`, never on the held-out file): character
// trigrams, 4-grams and word bigrams are too rare in a few hundred examples per category to be
// learnt, and mostly memorise the training sentences. Set 3 drops the words: the segmenter was
// about 70 % of the time a text took, and the words added little that the character 1- and
// 2-grams do not carry (development check: top-1 90.5 % without them, 90.9 % with; top-3 98.3 %
// both; auto-dispatch precision 94.5 % and 94.6 %), so a text now takes less than half the time.

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const run = /[\p{L}\p{N}]+/gu;

export type FeatureSet = 1 | 2 | 3;
export const currentFeatureSet: FeatureSet = 3;

export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\d/g, '0');
}

/**
 * Calls `visit` with each term of `text`, in order of appearance (a term that occurs twice is
 * visited twice).
 */
export function forEachTerm(text: string, set: FeatureSet, visit: (term: string) => void): void {
  const norm = normalize(text);
  const maxN = set === 1 ? 3 : 2;
  for (const m of norm.matchAll(run)) {
    const chars = Array.from(m[0]);
    for (let i = 0; i < chars.length; i++) {
      let gram = '';
      for (let n = 0; n < maxN && i + n < chars.length; n++) {
        gram += chars[i + n];
        visit(gram);
      }
    }
  }
  if (set === 3) return;
  const minWord = set === 1 ? 2 : 1;
  for (const s of segmenter.segment(norm)) {
    if (s.isWordLike && s.segment.length >= minWord) visit(`w:${s.segment}`);
  }
}

/**
 * A term of set 3 (one or two characters) as a number: the code point, or the first's times 2^21
 * plus the second's (code points stay below 2^21, so the two never meet). `undefined` for any
 * other term.
 */
export function gramKey(term: string): number | undefined {
  const first = term.codePointAt(0);
  if (first === undefined) return undefined;
  const width = first > 0xffff ? 2 : 1;
  if (term.length === width) return first;
  const second = term.codePointAt(width)!;
  return term.length === width + (second > 0xffff ? 2 : 1) ? pairKey(first, second) : undefined;
}

/** The gramKey of two characters (by code point). */
const pairKey = (first: number, second: number) => first * 0x200000 + second;

/**
 * forEachTerm for feature set 3 with each term as its gramKey, in the same order: no string is
 * made per term (serving a model looks every term up, and most of that time went to making and
 * hashing the strings).
 */
export function forEachGramKey(text: string, visit: (key: number) => void): void {
  for (const m of normalize(text).matchAll(run)) {
    const chars = m[0];
    let previous = -1;
    for (let i = 0; i < chars.length; ) {
      const code = chars.codePointAt(i)!;
      i += code > 0xffff ? 2 : 1;
      // The terms at character k are k alone, then k with the next: so k-1 with k comes before k.
      if (previous >= 0) visit(pairKey(previous, code));
      visit(code);
      previous = code;
    }
  }
}

/** Adds each term of `text` to `out` with its count. */
export function termsOf(text: string, out: Map<string, number> = new Map(), set: FeatureSet = currentFeatureSet): Map<string, number> {
  forEachTerm(text, set, (term) => out.set(term, (out.get(term) ?? 0) + 1));
  return out;
}

/** How a term is shown to people: words without their prefix. */
export function displayTerm(term: string): string {
  return term.startsWith('w:') ? term.slice(2) : term;
}
