// Builds train.jsonl and heldout.jsonl from corpus-source.ts: each hand-written problem
// statement is put into the words of a channel (hotline transcript, app post, grid patrol
// note, mailbox letter, bare text), with a place, how long it has lasted and what the caller
// asks for. Training and held-out text use disjoint statements, disjoint channel frames, and
// disjoint place/duration/request fillers. Deterministic (seeded): rerunning gives the same files.
//   npx tsx src/server/data/classifier/build-corpus.ts
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { heldout } from './corpus-heldout.ts';
import { colloquial } from './corpus-colloquial.ts';
import { extra } from './corpus-extra.ts';
import { more } from './corpus-more.ts';
import { slots } from './corpus-slots.ts';
import { mulberry32 } from '../../lib/random.ts';
import { sources, type Kind, type PlaceKind } from './corpus-source.ts';

type Split = 'train' | 'heldout';

/** Places by kind: the first list feeds training text, the second held-out text. */
const places: Record<PlaceKind, [string[], string[]]> = {
  street: [
    ['深南大道华强路口', '宝安大道西乡段', '福华三路', '沙河西路辅道', '龙岗大道布吉段', '梅林路与北环交汇处', '南山大道桂庙路口', '107国道松岗段', '民治大道红山地铁站旁', '新洲路', '坂雪岗大道', '留仙大道', '建设路', 'G4高速辅道'],
    ['滨河大道车公庙段', '布龙路', '前海路', '松白路观澜段', '西丽路口', '翠竹路', '宝源路'],
  ],
  home: [
    ['侨香社区3栋2单元', '碧海花园', '金地梅陇镇', '桃源村二期12栋', '景田北小区', '平山村', '幸福里小区B座', '万科城5期', '蔚蓝海岸3期', '翠竹苑', '白石洲城中村', '岗厦村', '上沙村', '莲花北村A区5号楼', '梅林一村28栋'],
    ['红荔村', '彩田村', '东方花园', '星河丹堤C区', '华富村东区', '西丽大磡村', '龙华三联村15栋', '百花园二期7栋'],
  ],
  shop: [
    ['华强北商业街', '东门步行街', '海岸城', '新安四路美食街', '小区门口的商铺', '南头古城', '车公庙附近', '水贝珠宝城一带'],
    ['皇岗村口', '大浪商业中心', '京基百纳广场旁', '沙井步行街'],
  ],
  work: [
    ['龙华一家电子厂', '观澜工业区', '福永物流园', '坂田一家科技公司', '松岗一家五金厂', '石岩模具厂', '南山科技园一家公司'],
    ['平湖一家物流公司', '光明一家塑胶厂', '横岗眼镜厂'],
  ],
  park: [
    ['莲花山公园', '深圳湾公园', '中心公园', '洪湖公园', '笔架山公园', '大沙河生态长廊'],
    ['荔枝公园', '人才公园', '香蜜公园'],
  ],
  river: [
    ['新洲河', '大沙河', '茅洲河', '观澜河', '布吉河'],
    ['西乡河', '福田河', '深圳水库下游'],
  ],
  transit: [
    ['车公庙地铁站', '深大地铁站', '老街地铁站', '宝安中心站', '福田口岸公交站', '科技园公交站', '地铁11号线碧头站C出口'],
    ['五和地铁站', '清湖地铁站', '华侨城公交总站'],
  ],
  public: [
    ['市民中心', '人民医院门口', '区政务服务中心', '社康中心'],
    ['妇幼保健院', '区图书馆'],
  ],
  none: [[], []],
};

const durations: Record<Split, string[]> = {
  train: ['', '', '', '，好几天了', '，已经一个星期了', '，持续半个多月了', '，一直没人管', '，反映过很多次了'],
  heldout: ['', '', '，这都快十天了', '，从上周到现在', '，多次打电话都没结果'],
};
const asks: Record<Split, Record<Kind, string[]>> = {
  train: {
    problem: ['请尽快处理', '希望相关部门尽快解决', '麻烦派人来看看', '请有关部门管一管', '希望尽快安排处理'],
    question: ['请给予答复', '希望有关部门解答', '麻烦告知一下', '谢谢'],
    praise: ['特此反映', '希望采纳', '谢谢'],
  },
  heldout: {
    problem: ['盼早日解决', '望尽快落实', '请协调处理', '希望给个说法'],
    question: ['望予以解答', '盼回复'],
    praise: ['望转达', '供参考'],
  },
};
const moods: Record<Split, string[]> = {
  train: ['', '', '！！', '，真的受不了了', '，太烦了', '，有没有人管啊', '😡', '。。。'],
  heldout: ['', '？？', '，气死了', '……', '🙏'],
};
const patrolAsks = ['建议相关部门处置', '已告知物业，需职能部门处理', '建议派单处理', '已现场劝导，需跟进'];

interface Slots {
  p: string;
  place: string;
  home: string;
  dur: string;
  ask: string;
  mood: string;
  patrol: string;
}

const at = (place: string) => (place ? `${place}，` : '');

/** Channel frames. Urgent statements use only the frames marked `urgentOk`. */
const frames: Record<Split, Record<Kind, { f: (s: Slots) => string; urgentOk?: boolean; patrol?: boolean }[]>> = {
  train: {
    problem: [
      { f: (s) => `市民来电反映：${at(s.place)}${s.p}${s.dur}，${s.ask}。`, urgentOk: true },
      { f: (s) => `市民来电：${s.p}。地址：${s.place || s.home}。${s.ask}。`, urgentOk: true },
      { f: (s) => `${at(s.place)}${s.p}${s.dur}${s.mood}`, urgentOk: true },
      { f: (s) => `${s.p}，${s.ask}！`, urgentOk: true },
      { f: (s) => `巡查发现：${at(s.place)}${s.p}，已拍照留存，${s.patrol}。`, patrol: true },
      { f: (s) => `尊敬的领导：您好！我是${s.home}的居民，${s.p}${s.dur}。${s.ask}，谢谢！` },
      { f: (s) => s.p, urgentOk: true },
      { f: (s) => `【${s.place || s.home}】${s.p}${s.dur}，${s.ask}` },
      { f: (s) => `我要投诉，${at(s.place)}${s.p}，${s.ask}` },
      { f: (s) => `${s.p}，${s.ask}。`, urgentOk: true },
      { f: (s) => `您好，我想反映一个问题：${at(s.place)}${s.p}${s.dur}。` },
      { f: (s) => `投诉：${s.place || s.home}${s.p}` },
      { f: (s) => `网格巡查：${at(s.place)}${s.p}，现场已核实。`, patrol: true },
      { f: (s) => `市民通过微信公众号反映：${at(s.place)}${s.p}${s.dur}，${s.ask}。` },
      { f: (s) => `热线工单：来电人反映${at(s.place)}${s.p}，诉求：${s.ask}。`, urgentOk: true },
      { f: (s) => `在${s.place || s.home}，${s.p}${s.mood}`, urgentOk: true },
      { f: (s) => `#随手拍# ${s.place}${s.p}${s.mood}` },
      { f: (s) => `${s.p}${s.dur}，谁来管管？` },
      { f: (s) => `群众反映${at(s.place)}${s.p}，要求相关部门处理。` },
      { f: (s) => `尊敬的市长：${s.p}${s.dur}，${s.ask}。` },
    ],
    question: [
      { f: (s) => `市民来电咨询：${s.p}，${s.ask}。` },
      { f: (s) => `${s.p}？` },
      { f: (s) => `请问${s.p}？` },
      { f: (s) => `您好，${s.p}，${s.ask}` },
      { f: (s) => `尊敬的领导：${s.p}，望答复。` },
      { f: (s) => s.p },
      { f: (s) => `市民来电：${s.p}，想了解具体政策。` },
      { f: (s) => `咨询：${s.p}` },
      { f: (s) => `你好，请问一下${s.p}` },
      { f: (s) => `我想问${s.p}，${s.ask}` },
    ],
    praise: [
      { f: (s) => `市民来电：${s.p}，${s.ask}。` },
      { f: (s) => `${s.p}！` },
      { f: (s) => s.p },
      { f: (s) => `留言：${s.p}，${s.ask}` },
      { f: (s) => `来电表扬：${s.p}` },
      { f: (s) => `市民留言：${s.p}。` },
    ],
  },
  heldout: {
    problem: [
      { f: (s) => `市民致电12345称，${at(s.place)}${s.p}，${s.ask}。`, urgentOk: true },
      { f: (s) => `网格员上报：${at(s.place)}${s.p}${s.dur}，请相关部门跟进。`, patrol: true },
      { f: (s) => `市长信箱来信：本人系${s.home}住户，${s.p}。望有关部门重视，${s.ask}。` },
      { f: (s) => `${s.place || s.home}这边${s.p}，有人管吗${s.mood}`, urgentOk: true },
      { f: (s) => `工单摘要：${s.p}（地点：${s.place || s.home}）`, urgentOk: true },
      { f: (s) => s.p, urgentOk: true },
    ],
    question: [
      { f: (s) => `来电人询问：${s.p}，${s.ask}。` },
      { f: (s) => `市长信箱：${s.p}，请予以解答。` },
      { f: (s) => `想问一下，${s.p}` },
      { f: (s) => s.p },
    ],
    praise: [
      { f: (s) => `来电人表示：${s.p}。` },
      { f: (s) => `市长信箱：${s.p}，${s.ask}。` },
      { f: (s) => s.p },
    ],
  },
};

/** Common slips of pinyin input and hurried typing, applied to some texts. */
const typos: [string, string][] = [
  ['垃圾', '拉圾'],
  ['噪音', '燥音'],
  ['已经', '以经'],
  ['反映', '反应'],
  ['路灯', '路等'],
  ['押金', '压金'],
  ['楼道', '楼到'],
  ['煤气', '媒气'],
  ['装修', '装俢'],
  ['物业', '物叶'],
  ['工资', '公资'],
  ['小区', '小曲'],
  ['停车', '挺车'],
  ['电梯', '电题'],
  ['消防', '消方'],
  ['一直', '一只'],
  ['在', '再'],
];

function typo(text: string, r: () => number): string {
  const candidates = typos.filter(([right]) => text.includes(right));
  if (candidates.length === 0) return text;
  const [right, wrong] = candidates[Math.floor(r() * candidates.length)]!;
  return text.replace(right, wrong);
}

/** Some people type digits and letters full-width (３栋, Ｂ１). */
const fullWidth = (text: string) => text.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

export interface CorpusLine {
  text: string;
  category: string;
  urgent?: boolean;
  /** The hand-written statement the line comes from: paraphrases share it (kept together when splitting). */
  group: string;
}

/** Development only: restricts the training frames (by position) to study robustness to unseen frames. */
let frameFilter: ((index: number) => boolean) | null = null;

function build(split: Split, statements: (category: string) => string[], perStatement: number, seed: number): CorpusLine[] {
  const r = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  const side = split === 'train' ? 0 : 1;
  const anyPlace = [...places.street[side], ...places.home[side], ...places.shop[side]];
  const out: CorpusLine[] = [];
  const seen = new Set<string>();
  for (const [category, source] of Object.entries(sources)) {
    const kind = source.kind ?? 'problem';
    statements(category).forEach((raw, i) => {
      const urgent = raw.startsWith('!');
      const p = urgent ? raw.slice(1) : raw;
      const usable = frames[split][kind].filter((fr, k) => (!urgent || fr.urgentOk) && !(fr.patrol && source.noPatrol) && (!frameFilter || split !== 'train' || frameFilter(k)));
      // Each statement gets `perStatement` different frames, starting at a rotating offset.
      const offset = Math.floor(r() * usable.length);
      let made = 0;
      for (let k = 0; made < perStatement && k < usable.length * 2; k++) {
        const frame = usable[(offset + k) % usable.length]!;
        // A place typical of the category, or (as often in real reports) any address.
        const placeList = r() < 0.5 ? places[pick(source.places)][side] : source.places.includes('none') ? [] : anyPlace;
        const slots: Slots = {
          p,
          place: placeList.length && r() < 0.75 ? pick(placeList) : '',
          home: pick(places.home[side]),
          dur: kind === 'problem' ? pick(durations[split]) : '',
          ask: pick(asks[split][kind]),
          mood: pick(moods[split]),
          patrol: pick(patrolAsks),
        };
        let text = frame.f(slots).replace(/，，/g, '，').replace(/？，/g, '？').replace(/，。/g, '。');
        if (r() < (split === 'train' ? 0.1 : 0.15)) text = typo(text, r);
        if (split === 'heldout' && r() < 0.08) text = fullWidth(text);
        if (seen.has(text)) continue;
        seen.add(text);
        out.push({ text, category, ...(urgent && { urgent: true }), group: `${category}/${split}/${i}` });
        made++;
      }
    });
  }
  return out;
}

/** `n` statements composed from the category's slots (a + b [+ c]), without repeats. */
function composed(category: string, n: number, seed: number): string[] {
  const slot = slots[category];
  if (!slot) return [];
  const r = mulberry32(seed);
  const out = new Set<string>();
  for (let tries = 0; out.size < n && tries < n * 20; tries++) {
    const a = slot.a[Math.floor(r() * slot.a.length)]!;
    const b = slot.b[Math.floor(r() * slot.b.length)]!;
    const c = slot.c && r() < 0.6 ? `，${slot.c[Math.floor(r() * slot.c.length)]!}` : '';
    out.add(`${a}${b}${c}`);
  }
  return [...out];
}

/** Character bigrams of a statement (letters and digits only), for the near-duplicate guard. */
function bigrams(text: string): Set<string> {
  const chars = Array.from(text.replace(/[^\p{L}\p{N}]/gu, ''));
  const out = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  return out;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let both = 0;
  for (const x of a) if (b.has(x)) both++;
  return both / (a.size + b.size - both || 1);
}

/** A training statement this close to a held-out one (bigram Jaccard) is left out of training. */
export const nearDuplicate = 0.4;
const heldoutGrams = Object.values(heldout).flatMap((list) => list.map((t) => bigrams(t)));
const dropped: string[] = [];
function guard(list: string[]): string[] {
  return list.filter((t) => {
    const g = bigrams(t);
    const close = heldoutGrams.some((h) => jaccard(g, h) >= nearDuplicate);
    if (close) dropped.push(t);
    return !close;
  });
}

/** The training lines built with only the frames `keep` accepts (for leave-frames-out experiments). */
export function buildTrainWithFrames(keep: (index: number) => boolean): CorpusLine[] {
  frameFilter = keep;
  try {
    return buildCorpus().train;
  } finally {
    frameFilter = null;
  }
}

export function buildCorpus() {
  dropped.length = 0;
  const written = (c: string) => guard([...sources[c]!.train, ...sources[c]!.dev, ...(more[c] ?? []), ...(colloquial[c] ?? [])]);
  return {
    train: [
      ...build('train', written, 2, 20261123),
      ...build('train', (c) => guard(composed(c, 60, 77)), 1, 4242).map((l) => ({ ...l, group: l.group.replace('/train/', '/composed/') })),
      // The fourth batch (corpus-extra.ts) is framed on its own, so the lines above stay as they were.
      ...build('train', (c) => guard(extra[c] ?? []), 2, 20261201).map((l) => ({ ...l, group: l.group.replace('/train/', '/extra/') })),
    ],
    heldout: build('heldout', (c) => heldout[c] ?? [], 2, 31415926),
    dropped,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const { train, heldout, dropped } = buildCorpus();
  const write = (file: string, lines: CorpusLine[]) => fs.writeFileSync(path.join(here, file), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  write('train.jsonl', train);
  write('heldout.jsonl', heldout);
  const count = (lines: CorpusLine[]) => {
    const per = new Map<string, number>();
    for (const l of lines) per.set(l.category, (per.get(l.category) ?? 0) + 1);
    return `${lines.length} lines, ${per.size} categories, ${Math.min(...per.values())}–${Math.max(...per.values())} per category, ${lines.filter((l) => l.urgent).length} urgent`;
  };
  console.log(`train.jsonl: ${count(train)}`);
  console.log(`heldout.jsonl: ${count(heldout)}`);
  console.log(`${dropped.length} training statements left out as near-duplicates of held-out ones (bigram Jaccard ≥ ${nearDuplicate})`);
  if (process.argv.includes('--show-dropped')) console.log(dropped.join('\n'));
}
