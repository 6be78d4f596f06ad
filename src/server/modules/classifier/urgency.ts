// Immediate danger, by rules rather than by the model: a missed gas leak costs more than a
// wrong category, and a rule can say why it fired. Each rule is a set of patterns looked for
// clause by clause (split at punctuation); a match does not count when its clause negates it
// (没有煤气味), makes it hypothetical or preventive (万一着火, 担心垮塌, 火灾隐患), puts it in
// the past without saying it still goes on (上个月有人打架), or when the text says it is over
// (已经处理好了, 已扑灭).

export interface UrgencyResult {
  urgent: boolean;
  /** Stable code of the rule that fired: gas_leak, people_trapped, … */
  code: string | null;
  /** For people: what was recognised and the words that showed it. */
  reason: string | null;
}

interface Rule {
  code: string;
  label: string;
  patterns: RegExp[];
  /** The whole text must also match this (context), when given. */
  context?: RegExp;
}

const gas = '(燃气|煤气|媒气|天然气|液化气|液化石油气)';

const rules: Rule[] = [
  {
    code: 'gas_leak',
    label: '疑似燃气泄漏',
    patterns: [
      new RegExp(`${gas}[^，。！？；]{0,6}(泄漏|泄露|漏气|外泄|喷气|冒气|往外冒|味)`),
      new RegExp(`${gas}报警器[^，。！？；]{0,4}(响|报警|叫)`),
      new RegExp(`${gas}(管道|管线|管子|管)[^，。！？；]{0,8}(挖断|挖破|破裂|断裂|爆裂|破了|断了|撞断|撞破|撞坏|撞了)`),
    ],
  },
  {
    code: 'gas_leak',
    label: '疑似燃气泄漏',
    patterns: [/臭鸡蛋(的)?(味|气味)/, /漏气/],
    context: /燃气|煤气|媒气|天然气|液化气|气瓶|气罐|灶|阀门|厨房|报警器/,
  },
  {
    code: 'people_trapped',
    label: '有人被困',
    patterns: [/被困|困在|困住|困人|关在电梯|(里面|里头)[^，。！？；]{0,4}出不来/],
  },
  {
    code: 'people_trapped',
    label: '有人被困',
    patterns: [/出不来|卡在[^，。！？；]{0,8}之间/],
    context: /电梯|梯|轿厢/,
  },
  {
    code: 'elevator_danger',
    label: '电梯危险运行',
    patterns: [/(开着门|门开着)[^，。！？；]{0,6}(往上|往下|运行|走)|冲顶|蹲底|溜梯|夹住[^，。！？；]{0,6}(手|人|脚|孩子|小孩)/],
    context: /电梯|梯|轿厢/,
  },
  {
    code: 'open_manhole',
    label: '井盖缺失',
    patterns: [
      /(井盖|井口|盖板|铁盖子|盖子|窨井|检查井|下水井|雨水井|污水井)[^，。！？；]{0,8}(缺失|丢失|没了|不见|被偷|被盗|掀开|敞着|敞开|没有盖|移位|被撞开|撞开了)/,
      /(没有|缺了?)(井盖|盖板)|(洞口|井口)没有盖/,
    ],
    // On a road or where people walk (小区 paths, school gates), not a cover in a closed plant room.
    context: /路|街|车道|巷|车|人行|小区|楼下|门口|学校|行人|深/,
  },
  {
    code: 'fire',
    label: '火情',
    patterns: [/着火|起火|失火|火灾|烧起来|浓烟|火光/],
  },
  {
    code: 'violence',
    label: '正在发生的暴力',
    patterns: [/打架|斗殴|互殴|群殴|打起来|殴打|砍人|捅人|持刀|行凶|伤人|打人|家暴|(拿着?|举着?|挥着?)(刀|棍|棒|凶器)/],
    context: /^(?!.*(猫|狗)[^，。]{0,6}打架)/,
  },
  {
    code: 'collapse',
    label: '建筑物倒塌或坠落危险',
    patterns: [
      /倒塌|坍塌|垮塌|塌方|塌了|要塌|快塌|塌下来/,
      /(砖|瓷砖|墙皮|墙体|外墙|玻璃|广告牌|招牌|空调外机|水泥块|混凝土块)[^，。！？；老常]{0,6}(掉下来|砸下来|掉了下来|砸了下来|坠落|往下掉)/,
      /高空坠物|还在掉/,
    ],
  },
  {
    code: 'collapse',
    label: '建筑物倒塌或坠落危险',
    patterns: [/要倒了|快倒了/],
    context: /墙|楼体|楼房|房子|房屋|建筑/,
  },
  {
    code: 'electric',
    label: '触电危险',
    patterns: [/触电|漏电|冒火花|(电线|电缆|高压线)[^，。！？；]{0,10}(打火|起火|冒烟|掉在地上|垂到|落地|掉进|泡在)/],
  },
  {
    code: 'outbreak',
    label: '疑似聚集性疫情',
    patterns: [/(聚集性|集体)(感染|中毒|发病|疫情)|(十几|几十|二十多|好几十)(个)?人[^，。！？；]{0,8}(发烧|发热|呕吐|腹泻|上吐下泻)/],
  },
  {
    code: 'life_at_risk',
    label: '生命危险',
    patterns: [/落水|溺水|跳楼|跳河|轻生|自杀|昏迷|晕倒|没有呼吸/],
  },
];

const negation = /(没有|没|未|无|不是|并非|不存在|不再|排除|不)[^没未无不]{0,2}$/;
const hypothetical = /万一|如果|假如|一旦|要是|担心|害怕|怕|以防|防止|预防|避免|隐患|演练|宣传|培训|讲座|知识|会不会|是否|能不能|怎么|如何|容易|因为/;
/** Right before the words: "会冒火花" (could), "老掉下来" (keeps happening, not now). */
const notNow = /(会|可能|老|经常|总是|常常|时常|有时)$/;
const past = /上(个|一)?(月|周|星期|礼拜|次|回)|去年|前年|之前|以前|曾经|前几天|前段时间|昨天|前天|那次/;
const ongoing = /还|仍|依然|一直|正在|现在|目前|又|再次|刚才|刚刚/;
const resolved = /已(经)?(处理|修好|修复|解决|排除|扑灭|灭了|救出|恢复|关闭|离开|散了|走了)|处理好了|没事了|被救出/;
const afterMatch = /^(隐患|风险|演练|预防|报警器|知识|安全检查)/;

function clauses(text: string): string[] {
  return text.split(/[，。！？；,.!?;\n]+/).filter((c) => c.length > 0);
}

/** Whether the text reports immediate danger, and which. */
export function detectUrgency(text: string): UrgencyResult {
  // Full-width to half-width and lower case, but digits kept: the reason quotes the text.
  const norm = text.normalize('NFKC').toLowerCase();
  const parts = clauses(norm);
  for (const rule of rules) {
    if (rule.context && !rule.context.test(norm)) continue;
    for (let i = 0; i < parts.length; i++) {
      const clause = parts[i]!;
      for (const pattern of rule.patterns) {
        const m = pattern.exec(clause);
        if (!m) continue;
        const before = clause.slice(0, m.index);
        const after = clause.slice(m.index + m[0].length);
        // Only a negation right before the words counts ("没有闻到煤气味"), not one far back.
        if (negation.test(before.replace(/不停|不断|不住|不少|不知|不了/g, ''))) continue;
        if (hypothetical.test(before) || notNow.test(before) || afterMatch.test(after)) continue;
        if (past.test(before) && !ongoing.test(clause)) continue;
        const rest = `${after}，${parts[i + 1] ?? ''}`;
        if (resolved.test(rest)) continue;
        return { urgent: true, code: rule.code, reason: `${rule.label}：${clause.slice(Math.max(0, m.index - 8), m.index + m[0].length + 8)}` };
      }
    }
  }
  return { urgent: false, code: null, reason: null };
}
