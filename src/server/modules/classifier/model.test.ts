import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { forEachGramKey, forEachTerm, gramKey, termsOf } from './features.ts';
import { readCorpus } from './corpus.ts';
import { largestFirst, TextClassifier, trainClassifier, type Example } from './model.ts';

const examples: Example[] = [];
const topics: Record<string, string[]> = {
  streetlight: ['路灯不亮', '路灯坏了晚上很黑', '小区路灯一闪一闪', '路灯整晚不亮', '这段路没有灯很黑'],
  garbage_collection: ['垃圾没人清运', '垃圾桶满了没人收', '垃圾站堆满了', '垃圾三天没人拉走', '垃圾车好几天没来'],
  pets: ['楼上的狗天天叫', '有人遛狗不牵绳', '小区里狗屎到处都是', '邻居养的猫乱跑', '大狗不拴绳吓到小孩'],
};
for (const [category, texts] of Object.entries(topics)) texts.forEach((text, i) => examples.push({ text, category, group: `${category}/${i}` }, { text: `市民来电反映：${text}，请尽快处理。`, category, group: `${category}/${i}` }));
const classes = Object.keys(topics);

describe('classifier model', () => {
  it('ranks the largest values first, keeps index order for ties, and stops at k', () => {
    const values = [0.1, 0.4, 0.2, 0.4, 0.05, 0.3];
    const sorted = Array.from(values.keys()).sort((a, b) => values[b]! - values[a]!);
    assert.deepEqual(largestFirst(values, values.length), sorted);
    assert.deepEqual(largestFirst(values, 3), [1, 3, 5]);
    assert.deepEqual(largestFirst(values, 1), [1]);
    assert.deepEqual(largestFirst(values, 10), sorted);
    assert.deepEqual(largestFirst(values, 0), []);
    assert.deepEqual(largestFirst([], 4), []);
  });

  it('gives the first classes of the full ranking when asked for fewer', () => {
    const model = trainClassifier(examples, classes).model;
    for (const text of ['路灯不亮', '狗叫', '垃圾']) {
      const all = model.predict(text);
      assert.deepEqual(model.predict(text, 5, 2), { ranked: all.ranked.slice(0, 2), terms: all.terms });
    }
  });

  it('serialises and reads back what it predicts (format 2: weights and naive-Bayes evidence)', () => {
    const { model, report } = trainClassifier(examples, classes, { minDf: 1, nbMinDf: 1, validationShare: 0, nbWeights: [0.05] });
    assert.equal(report.evidenceWeight, 0.05);
    const bytes = model.serialize();
    const header = gunzipSync(bytes);
    assert.match(new TextDecoder().decode(header.subarray(4, 4 + header.readUInt32LE(0))), /"format":"gongzhi-softmax-q8\/2".*"featureSet":3/);
    const back = TextClassifier.deserialize(bytes);
    assert.equal(back.featureSet, 3);
    for (const text of ['路灯坏了', '狗叫个不停', '垃圾好几天没人收']) {
      const a = model.predict(text);
      const b = back.predict(text);
      assert.equal(b.ranked[0]!.category, a.ranked[0]!.category, text);
      assert.ok(Math.abs(a.ranked[0]!.confidence - b.ranked[0]!.confidence) < 0.02, text);
      assert.ok(b.terms.length > 0, text);
    }
    assert.equal(back.predict('晚上路灯不亮').ranked[0]!.category, 'streetlight');
  });

  it('still reads and serves models stored in format 1 (regression only, feature set 1)', () => {
    // A format-1 model as versions before the naive-Bayes evidence stored it: terms of feature set 1.
    const terms = [...new Set(examples.flatMap((e) => [...termsOf(e.text, new Map(), 1).keys()]))].sort();
    const C = classes.length;
    const weights = new Float32Array(terms.length * C);
    terms.forEach((t, f) => {
      if (t === 'w:路灯') weights[f * C + 0] = 5;
      if (t === 'w:垃圾') weights[f * C + 1] = 5;
    });
    const old = new TextClassifier({ classes, terms, idf: new Float32Array(terms.length).fill(1), weights, bias: new Float32Array(C), temperature: 1 });
    assert.equal(old.featureSet, 1);
    const bytes = old.serialize();
    const header = gunzipSync(bytes);
    assert.match(new TextDecoder().decode(header.subarray(4, 4 + header.readUInt32LE(0))), /"format":"gongzhi-softmax-q8\/1"/);
    const back = TextClassifier.deserialize(bytes);
    assert.equal(back.featureSet, 1);
    assert.equal(back.predict('路灯坏了').ranked[0]!.category, 'streetlight');
    assert.deepEqual(back.predict('路灯坏了').terms.map((t) => t.term), ['路灯']);
    assert.equal(back.predict('垃圾没人收').ranked[0]!.category, 'garbage_collection');
  });

  it('still serves models of feature set 2 with the words they were trained on', () => {
    const terms = ['w:狗', '狗', '路', '灯'];
    const C = classes.length;
    const weights = new Float32Array(terms.length * C);
    weights[0 * C + classes.indexOf('pets')] = 5; // only the word feature says "pets"
    const two = new TextClassifier({ classes, terms, idf: new Float32Array(terms.length).fill(1), weights, bias: new Float32Array(C), temperature: 1, featureSet: 2 });
    const back = TextClassifier.deserialize(two.serialize());
    assert.equal(back.featureSet, 2);
    assert.equal(back.predict('楼上的狗天天叫').ranked[0]!.category, 'pets');
  });

  it('explains a decision by its longer terms: a character counts for the strongest term holding it', () => {
    // 煤气泄漏 has seven known terms of feature set 3 (each once, so each weighs 1/√7).
    const weightOf: Record<string, number> = { 煤气: 3, 泄漏: 2, 气泄: 0.2, 煤: 1, 气: 1, 泄: 0.5, 漏: 0.5 };
    const terms = Object.keys(weightOf);
    const C = classes.length;
    const weights = new Float32Array(terms.length * C);
    terms.forEach((t, f) => (weights[f * C] = weightOf[t]!));
    const model = new TextClassifier({ classes, terms, idf: new Float32Array(terms.length).fill(1), weights, bias: new Float32Array(C), temperature: 1, featureSet: 3 });
    const share = (w: number) => Math.round((w / Math.sqrt(7)) * 1000) / 1000;
    // 气 goes to 煤气 (not the weaker 气泄), 泄 to 泄漏; 气泄 stays, as no chosen term holds it.
    assert.deepEqual(model.predict('煤气泄漏').terms, [
      { term: '煤气', weight: share(3 + 1 + 1) },
      { term: '泄漏', weight: share(2 + 0.5 + 0.5) },
      { term: '气泄', weight: share(0.2) },
    ]);
    assert.deepEqual(model.predict('煤气泄漏', 2).terms.map((t) => t.term), ['煤气', '泄漏']);
  });

  it('feature set 3 has character 1- and 2-grams only; set 2 adds the words; set 1 keeps trigrams', () => {
    const three = termsOf('楼上的狗天天叫');
    assert.ok(three.has('狗') && three.has('楼上') && !three.has('楼上的') && ![...three.keys()].some((t) => t.startsWith('w:')));
    const two = termsOf('楼上的狗天天叫', new Map(), 2);
    assert.ok(two.has('w:狗') && two.has('楼上') && !two.has('楼上的'));
    const one = termsOf('楼上的狗天天叫', new Map(), 1);
    assert.ok(!one.has('w:狗') && one.has('楼上的'));
  });

  it('serves feature set 3 by numeric term keys with the same terms, in the same order, as the strings', () => {
    // Astral characters (𠮷, emoji), full-width digits, letters and runs split by punctuation too.
    const texts = [...readCorpus('heldout.jsonl').map((e) => e.text), '𠮷野家门口𠮷𠮷 ３栋2单元 WiFi断了😡！a', '', '！？', '猫'];
    for (const text of texts) {
      const keys: number[] = [];
      forEachGramKey(text, (key) => keys.push(key));
      const expected: number[] = [];
      forEachTerm(text, 3, (term) => expected.push(gramKey(term)!));
      assert.deepEqual(keys, expected, text);
    }
    assert.equal(gramKey('楼上的'), undefined);
    assert.equal(gramKey('w:狗'), undefined);
    assert.notEqual(gramKey('𠮷'), gramKey('𠮷𠮷'));
    // The model's vector: the known terms in order of appearance, as termsOf gives them.
    const model = trainClassifier(examples, classes).model;
    assert.equal(model.featureSet, 3);
    for (const text of ['楼上的狗天天叫，路灯也不亮', '垃圾桶满了 ３天没人收']) {
      const known = [...termsOf(text).keys()].map((t) => model.terms.indexOf(t)).filter((i) => i >= 0);
      assert.deepEqual([...model.vectorize(text).idx], known);
    }
  });
});
