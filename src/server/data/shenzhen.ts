// Public facts about Shenzhen used to seed a realistic demo city (copied from the project's
// domain notes; the product never reads those at run time). Boundaries are not real: the seed
// generates them, and the UI says that the demo map is synthetic.

export interface StreetFact {
  zh: string;
  en: string;
}

export interface DistrictFact {
  code: string;
  /** Full name, e.g. 福田区, 大鹏新区. */
  zh: string;
  en: string;
  /** Approximate population (2020). */
  population: number;
  /** Approximate centre (lon, lat): the sites of the district Voronoi cells. */
  centre: [number, number];
  streets: StreetFact[];
}

export const city = {
  code: '440300',
  zh: '深圳市',
  en: 'Shenzhen',
  /** The box the synthetic districts are clipped to: lon 113.75–114.62, lat 22.45–22.86. */
  box: [113.75, 22.45, 114.62, 22.86] as [number, number, number, number],
  /** Communities in the real city: the `city` seed scale aims at this. */
  communities: 676,
  /** Grids per community on average at the `city` scale (~15,000 grids). */
  gridsPerCommunity: 22,
  /** People per household, for households derived from population. */
  householdSize: 2.6,
};

const s = (zh: string, en: string): StreetFact => ({ zh, en });

export const districts: DistrictFact[] = [
  {
    code: '440304', zh: '福田区', en: 'Futian District', population: 1_550_000, centre: [114.05, 22.54],
    streets: [s('园岭', 'Yuanling'), s('南园', 'Nanyuan'), s('福田', 'Futian'), s('沙头', 'Shatou'), s('香蜜湖', 'Xiangmihu'),
      s('梅林', 'Meilin'), s('莲花', 'Lianhua'), s('华富', 'Huafu'), s('福保', 'Fubao'), s('华强北', 'Huaqiangbei')],
  },
  {
    code: '440303', zh: '罗湖区', en: 'Luohu District', population: 1_140_000, centre: [114.13, 22.56],
    streets: [s('桂园', 'Guiyuan'), s('黄贝', 'Huangbei'), s('东门', 'Dongmen'), s('翠竹', 'Cuizhu'), s('南湖', 'Nanhu'),
      s('笋岗', 'Sungang'), s('东湖', 'Donghu'), s('莲塘', 'Liantang'), s('东晓', 'Dongxiao'), s('清水河', 'Qingshuihe')],
  },
  {
    code: '440308', zh: '盐田区', en: 'Yantian District', population: 210_000, centre: [114.24, 22.58],
    streets: [s('梅沙', 'Meisha'), s('盐田', 'Yantian'), s('沙头角', 'Shatoujiao'), s('海山', 'Haishan')],
  },
  {
    code: '440305', zh: '南山区', en: 'Nanshan District', population: 1_800_000, centre: [113.93, 22.53],
    streets: [s('南头', 'Nantou'), s('南山', 'Nanshan'), s('沙河', 'Shahe'), s('蛇口', 'Shekou'), s('招商', 'Zhaoshang'),
      s('粤海', 'Yuehai'), s('桃源', 'Taoyuan'), s('西丽', 'Xili')],
  },
  {
    code: '440306', zh: '宝安区', en: "Bao'an District", population: 4_480_000, centre: [113.85, 22.65],
    streets: [s('新安', "Xin'an"), s('西乡', 'Xixiang'), s('航城', 'Hangcheng'), s('福永', 'Fuyong'), s('福海', 'Fuhai'),
      s('沙井', 'Shajing'), s('新桥', 'Xinqiao'), s('松岗', 'Songgang'), s('燕罗', 'Yanluo'), s('石岩', 'Shiyan')],
  },
  {
    code: '440307', zh: '龙岗区', en: 'Longgang District', population: 3_980_000, centre: [114.25, 22.72],
    streets: [s('平湖', 'Pinghu'), s('坂田', 'Bantian'), s('布吉', 'Buji'), s('吉华', 'Jihua'), s('南湾', 'Nanwan'),
      s('横岗', 'Henggang'), s('园山', 'Yuanshan'), s('龙城', 'Longcheng'), s('龙岗', 'Longgang'), s('宝龙', 'Baolong'), s('坪地', 'Pingdi')],
  },
  {
    code: '440309', zh: '龙华区', en: 'Longhua District', population: 2_530_000, centre: [114.04, 22.66],
    streets: [s('观湖', 'Guanhu'), s('民治', 'Minzhi'), s('龙华', 'Longhua'), s('大浪', 'Dalang'), s('福城', 'Fucheng'), s('观澜', 'Guanlan')],
  },
  {
    code: '440310', zh: '坪山区', en: 'Pingshan District', population: 550_000, centre: [114.35, 22.7],
    streets: [s('坪山', 'Pingshan'), s('马峦', 'Maluan'), s('碧岭', 'Biling'), s('石井', 'Shijing'), s('坑梓', 'Kengzi'), s('龙田', 'Longtian')],
  },
  {
    code: '440311', zh: '光明区', en: 'Guangming District', population: 1_100_000, centre: [113.93, 22.77],
    streets: [s('光明', 'Guangming'), s('公明', 'Gongming'), s('新湖', 'Xinhu'), s('凤凰', 'Fenghuang'), s('玉塘', 'Yutang'), s('马田', 'Matian')],
  },
  {
    code: '440343', zh: '大鹏新区', en: 'Dapeng New District', population: 160_000, centre: [114.48, 22.59],
    streets: [s('葵涌', 'Kuichong'), s('大鹏', 'Dapeng'), s('南澳', "Nan'ao")],
  },
];

/** Community names that appear in public reports, by district and street. */
export const knownCommunities: { district: string; street: string; zh: string; en: string }[] = [
  { district: '福田区', street: '香蜜湖', zh: '侨香', en: 'Qiaoxiang' },
  { district: '福田区', street: '华富', zh: '狮岭', en: 'Shiling' },
  { district: '福田区', street: '莲花', zh: '梅富', en: 'Meifu' },
  { district: '罗湖区', street: '桂园', zh: '桂木园', en: 'Guimuyuan' },
  { district: '南山区', street: '南头', zh: '前海', en: 'Qianhai' },
  { district: '南山区', street: '南头', zh: '大汪山', en: 'Dawangshan' },
  { district: '龙华区', street: '民治', zh: '北站', en: 'Beizhan' },
  { district: '龙华区', street: '龙华', zh: '三联', en: 'Sanlian' },
  { district: '龙岗区', street: '布吉', zh: '龙岭', en: 'Longling' },
  { district: '大鹏新区', street: '南澳', zh: '南渔', en: 'Nanyu' },
];

/**
 * Syllables that Shenzhen community names are commonly made of, with their pinyin, so that
 * generated names read plausibly in Chinese and get an English name too.
 */
export const communityNameParts = {
  first: [
    ['福', 'Fu'], ['新', 'Xin'], ['华', 'Hua'], ['安', 'An'], ['康', 'Kang'], ['和', 'He'], ['景', 'Jing'], ['翠', 'Cui'],
    ['金', 'Jin'], ['银', 'Yin'], ['东', 'Dong'], ['西', 'Xi'], ['南', 'Nan'], ['北', 'Bei'], ['湖', 'Hu'], ['岭', 'Ling'],
    ['园', 'Yuan'], ['海', 'Hai'], ['田', 'Tian'], ['龙', 'Long'], ['凤', 'Feng'], ['桃', 'Tao'], ['梅', 'Mei'], ['兰', 'Lan'],
    ['竹', 'Zhu'], ['松', 'Song'], ['石', 'Shi'], ['水', 'Shui'], ['沙', 'Sha'], ['上', 'Shang'], ['下', 'Xia'], ['宝', 'Bao'],
    ['丽', 'Li'], ['荔', 'Li'], ['益', 'Yi'], ['鹤', 'He'], ['泰', 'Tai'], ['明', 'Ming'], ['玉', 'Yu'], ['长', 'Chang'],
  ],
  second: [
    ['苑', 'yuan'], ['村', 'cun'], ['园', 'yuan'], ['岭', 'ling'], ['湾', 'wan'], ['华', 'hua'], ['新', 'xin'], ['城', 'cheng'],
    ['湖', 'hu'], ['山', 'shan'], ['田', 'tian'], ['坑', 'keng'], ['围', 'wei'], ['塘', 'tang'], ['头', 'tou'], ['岗', 'gang'],
    ['林', 'lin'], ['景', 'jing'], ['港', 'gang'], ['桥', 'qiao'], ['庄', 'zhuang'], ['坊', 'fang'], ['洲', 'zhou'], ['埔', 'pu'],
    ['丰', 'feng'], ['富', 'fu'],
  ],
} as const;
