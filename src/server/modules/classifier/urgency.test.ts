import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectUrgency } from './urgency.ts';

describe('urgency rules', () => {
  const urgent: [string, string][] = [
    ['楼道里有很浓的煤气味，怀疑燃气泄漏', 'gas_leak'],
    ['家里燃气报警器一直在响', 'gas_leak'],
    ['挖掘机把路边的天然气管道挖断了', 'gas_leak'],
    ['电梯停在两层之间，里面有人被困', 'people_trapped'],
    ['3号梯卡在12楼和13楼之间，我妈在里面出不来', 'people_trapped'],
    ['马路中间的井盖不见了，车来车往', 'open_manhole'],
    ['楼下着火了，消防通道被车堵住，消防车进不来', 'fire'],
    ['烧烤店门口两伙人正在打架，有人流血了', 'violence'],
    ['有个男的拿着刀在菜市场追人', 'violence'],
    ['老楼的外墙正在往下掉砖，下面是人行道', 'collapse'],
    ['隔壁的旧房子塌了一半', 'collapse'],
    ['电线断了掉在地上，还在冒火花', 'electric'],
    ['宿舍里十几个人上吐下泻，疑似集体感染', 'outbreak'],
    ['昨天开始楼道里一直有煤气味', 'gas_leak'],
  ];
  for (const [text, code] of urgent) {
    it(`urgent: ${text}`, () => {
      const r = detectUrgency(text);
      assert.equal(r.urgent, true);
      assert.equal(r.code, code);
      assert.ok(r.reason && r.reason.length > 0);
    });
  }

  const calm = [
    '楼道里没有煤气味了，燃气公司来修过',
    '上个月楼里有燃气泄漏，已经处理好了，想问能不能加装报警器',
    '消防通道被车堵住，万一着火消防车进不来',
    '挡土墙出现裂缝，下雨天担心垮塌',
    '想问一下燃气报警器在哪里买',
    '燃气灶点不着火，问了物业说是管道气停了',
    '上周小区门口有人打架，想问处理结果',
    '几只猫晚上在车库里打架，叫声很吓人',
    '外墙的瓷砖老掉下来，走在楼下都要小心',
    '行道树的枝叶伸到电线上，下雨天会冒火花',
    '路灯坏了好几盏，晚上黑漆漆的',
    '小区开展火灾隐患排查宣传',
    '楼下着火了，已经扑灭了',
  ];
  for (const text of calm) {
    it(`not urgent: ${text}`, () => {
      assert.deepEqual(detectUrgency(text), { urgent: false, code: null, reason: null });
    });
  }
});
