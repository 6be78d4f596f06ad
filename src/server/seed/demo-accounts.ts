// One demo account per role, so that every screen of the product can be tried at once. The
// codes are fixed because the city model is deterministic: 侨香 is always the first community
// of 香蜜湖街道 (440304005001), 狮岭 the first of 华富街道 (440304008001), at both scales.
import { eq, inArray, or } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { accounts, organisations, roleGrants, territories } from '../db/schema.ts';
import { hashPassword } from '../modules/auth/password.ts';
import type { Role } from '../policy/index.ts';
import { orgCode, partyCode } from './organisations.ts';

/** The one password of every demo account (shown in the README; change it outside demos). */
export const demoPassword = 'Gongzhi2026';

export interface DemoAccount {
  username: string;
  phone?: string;
  displayName: string;
  role: Role;
  /** Where the role is held: the grant's territory. */
  territoryCode: string;
  /** The unit the role is held in, if any. */
  organisationCode?: string;
  scope: { zh: string; en: string };
}

const city = '440300';
const futian = '440304';
const xiangmihu = '440304005';
const qiaoxiang = '440304005001';
const shiling = '440304008001';

export const demoAccounts: DemoAccount[] = [
  { username: 'admin', displayName: '系统管理员', role: 'admin', territoryCode: city, scope: { zh: '深圳市（全市管理员）', en: 'Shenzhen (city administrator)' } },
  { username: 'leader', displayName: '李书记', role: 'leader', territoryCode: futian, scope: { zh: '福田区领导', en: 'Futian District leader' } },
  {
    username: 'dispatcher', displayName: '王分拨', role: 'dispatcher', territoryCode: futian, organisationCode: orgCode(futian, 'hotline_center'),
    scope: { zh: '福田区民生诉求服务中心', en: 'Futian District Appeals Service Centre' },
  },
  {
    username: 'operator', displayName: '陈话务', role: 'operator', territoryCode: city, organisationCode: orgCode(city, 'hotline_center'),
    scope: { zh: '深圳市民生诉求服务中心（话务员）', en: 'Shenzhen Appeals Service Centre (hotline operator)' },
  },
  {
    username: 'handler', displayName: '刘执法', role: 'handler', territoryCode: xiangmihu, organisationCode: orgCode(xiangmihu, 'street_enforcement'),
    scope: { zh: '香蜜湖街道综合行政执法队', en: 'Xiangmihu Subdistrict Law-enforcement Team' },
  },
  {
    username: 'community_worker', displayName: '赵社工', role: 'community_worker', territoryCode: qiaoxiang, organisationCode: orgCode(qiaoxiang, 'community'),
    scope: { zh: '侨香社区工作站', en: 'Qiaoxiang Community Work Station' },
  },
  {
    username: 'community_worker2', displayName: '孙社工', role: 'community_worker', territoryCode: shiling, organisationCode: orgCode(shiling, 'community'),
    scope: { zh: '狮岭社区工作站（另一个社区，用于演示权限范围）', en: 'Shiling Community Work Station (another community, to show scoping)' },
  },
  {
    username: 'grid_worker', displayName: '周网格', role: 'grid_worker', territoryCode: `${qiaoxiang}001`, organisationCode: orgCode(qiaoxiang, 'community'),
    scope: { zh: '侨香社区第1网格', en: 'Qiaoxiang Grid 1' },
  },
  {
    username: 'party_member', displayName: '吴党员', role: 'party_member', territoryCode: qiaoxiang, organisationCode: partyCode(qiaoxiang, 1),
    scope: { zh: '侨香社区党委第一党支部', en: 'Qiaoxiang Community Party Branch 1' },
  },
  {
    username: 'resident', phone: '13800138000', displayName: '张小明', role: 'resident', territoryCode: city,
    scope: { zh: '居民（全市，也可用手机号 13800138000 登录）', en: 'Resident (whole city; may also sign in with phone 13800138000)' },
  },
];

/**
 * Creates the demo accounts that do not exist yet (by username or phone) with their role grant.
 * Returns how many were created. The missing territories or units are a seeding bug: throw.
 */
export async function insertDemoAccounts(db: Executor, list: DemoAccount[] = demoAccounts): Promise<number> {
  const phones = list.flatMap((a) => (a.phone ? [a.phone] : []));
  const existing = await db
    .select({ username: accounts.username, phone: accounts.phone })
    .from(accounts)
    .where(or(inArray(accounts.username, list.map((a) => a.username)), phones.length ? inArray(accounts.phone, phones) : undefined));
  const taken = new Set(existing.flatMap((r) => [r.username, r.phone]));
  const todo = list.filter((a) => !taken.has(a.username) && !(a.phone && taken.has(a.phone)));
  if (todo.length === 0) return 0;
  // scrypt is deliberately slow (~0.2 s); the demo accounts share one published password, so
  // one hash serves them all and the seed stays quick.
  const passwordHash = await hashPassword(demoPassword);
  for (const a of todo) {
    const [place] = await db.select({ id: territories.id, path: territories.path }).from(territories).where(eq(territories.code, a.territoryCode));
    if (!place) throw new Error(`seed: territory ${a.territoryCode} for ${a.username} is missing`);
    let organisationId: string | null = null;
    if (a.organisationCode) {
      const [unit] = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.code, a.organisationCode));
      if (!unit) throw new Error(`seed: organisation ${a.organisationCode} for ${a.username} is missing`);
      organisationId = unit.id;
    }
    const [row] = await db
      .insert(accounts)
      .values({ username: a.username, phone: a.phone ?? null, displayName: a.displayName, passwordHash })
      .returning({ id: accounts.id });
    await db.insert(roleGrants).values({ accountId: row!.id, role: a.role, territoryId: place.id, scopePath: place.path, organisationId }).onConflictDoNothing();
  }
  return todo.length;
}
