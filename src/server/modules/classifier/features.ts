// Text → terms, the features of the classifier: character 1–3-grams inside runs of letters and
// digits (robust to typos and to words the segmenter splits oddly) plus the words Intl.Segmenter
// finds (prefixed "w:"). Text is normalised first: NFKC (full-width ３栋 → 3栋), lower case, and
// every digit → 0, so "3栋2单元" and "12栋1801" share "0栋".

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const run = /[\p{L}\p{N}]+/gu;

export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\d/g, '0');
}

/** Adds each term of `text` to `out` with its count. */
export function termsOf(text: string, out: Map<string, number> = new Map()): Map<string, number> {
  const norm = normalize(text);
  for (const m of norm.matchAll(run)) {
    const chars = Array.from(m[0]);
    for (let i = 0; i < chars.length; i++) {
      let gram = '';
      for (let n = 0; n < 3 && i + n < chars.length; n++) {
        gram += chars[i + n];
        out.set(gram, (out.get(gram) ?? 0) + 1);
      }
    }
  }
  for (const s of segmenter.segment(norm)) {
    if (s.isWordLike && s.segment.length >= 2) {
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
