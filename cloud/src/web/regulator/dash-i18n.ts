import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AlertKind } from '../analysis/alerts.ts';
import type { KeyKind } from '../analysis/trace-graph.ts';
import { type Lang, pickLang } from '../i18n.ts';
import type { ItemStatus } from '../read-model.ts';

/**
 * Dashboard strings in English and Chinese. The language is chosen like the consumer page's:
 * `?lang=` (which also sets the `lang` cookie, so the choice sticks), then the cookie, then
 * Accept-Language. Chain names, codes and identifiers are data and stay as they are.
 */

const en = {
  htmlLang: 'en',
  brand: 'Suyuan regulator',
  switchTo: '中文',
  logout: 'Log out',
  roles: { regulator: 'regulator', auditor: 'auditor' } as Record<string, string>,
  tabs: {
    network: 'Network',
    explorer: 'Explorer',
    search: 'Search & trace',
    recall: 'Recall',
    alerts: 'Alerts',
  },
  login: {
    title: 'Log in',
    userName: 'User name',
    password: 'Password',
    submit: 'Log in',
    expired: 'The form expired; please try again.',
    tooMany: 'Too many attempts; wait a few minutes and try again.',
    wrong: 'Wrong user name or password.',
  },
  network: {
    summary: '{replicas} replicas in {groups} group(s).',
    replica: 'Replica',
    group: 'Group',
    view: 'View',
    heightLag: '{chain} height (lag)',
    lastCommit: 'Last commit',
    chains: 'Chains',
    chain: 'Chain',
    height: 'Height',
    headHash: 'Head hash',
  },
  explorer: {
    time: 'Time',
    txs: 'Txs',
    batch: 'Batch',
    signers: 'Signers',
    hash: 'Hash',
    older: 'Older blocks →',
    rejected: 'Rejected submissions',
    submitterSeq: 'Submitter#seq',
    code: 'Code',
    reason: 'Reason',
    block: 'Block {chain}#{height}',
    previous: 'Previous',
    txRoot: 'Tx root',
    batchSigners: 'Batch / signers',
    anchors: 'Anchors',
    what: 'What',
    readings: '{n} readings',
    gaps: ', {n} gap(s)',
    registry: 'registry {action}',
  },
  search: {
    label: 'Item, lot, Digital Link, EPC URI, participant or device',
    submit: 'Search',
    participant: 'participant',
    device: 'device',
    unbound: 'unbound',
    noMatches: 'No matches.',
  },
  trace: {
    title: 'Trace: {key}',
    consumerPage: 'Consumer page',
    epcis: 'EPCIS 2.0 export',
    fsma: 'FSMA 204 spreadsheet',
    recallLot: 'Recall this lot',
    truncated: 'Trace truncated at {n} identities.',
    backward: 'Backward ({n})',
    forward: 'Forward ({n})',
  },
  recall: {
    title: 'Recall: lot {lot}',
    lotLabel: 'Lot (code, Digital Link or EPC class)',
    show: 'Show affected',
    noLot: 'No lot matches {query}.',
    lotIs: 'This lot is {status}.',
    itemsIn: ' items in ',
    lotsHeldBy: ' lot(s), held by ',
    holdersEnd: ' holder(s). ',
    csv: 'Download CSV',
    reason: 'Reason',
    hold: 'Hold',
    recall: 'Recall',
    submit: 'Sign and submit to the ledger',
    auditorNote: 'Auditors can view and export, not hold.',
    holders: 'Holders',
    lots: 'Lots',
    items: 'Items',
    nItems: '{n} items',
  },
  alerts: {
    count: '{n} alert(s).',
    kind: 'Kind',
    time: 'Time',
    subject: 'Subject',
    what: 'What',
    kinds: {
      coldChain: 'cold-chain excursion',
      preHarvestInterval: 'pre-harvest interval',
      rejected: 'rejected submission',
      unknownDevice: 'unknown device',
      sequenceGap: 'sequence gap',
      suspectedClone: 'suspected clone',
    } as Record<AlertKind, string>,
    /** Filled from each alert's `details`. */
    messages: {
      coldChain: '{device}: {minutes} min outside {min}–{max} °C (peak {peak} °C)',
      preHarvestInterval: 'harvested {waited} days after spraying {product}; interval is {interval} days',
      rejected: '{code}: {reason}',
      unknownDevice: '{code}: {reason}',
      sequenceGap: 'readings {from}…{to} missing ({n})',
      suspectedClone: '{reasons}: {count} scans, {foreign} outside {region}',
    } as Record<AlertKind, string>,
  },
  keyKinds: { item: 'item', lot: 'lot', pallet: 'pallet', other: 'other' } as Record<KeyKind, string>,
  statuses: { active: 'active', held: 'held', recalled: 'recalled', sold: 'sold' } as Record<
    ItemStatus,
    string
  >,
};

export type DashStrings = typeof en;

const zh: DashStrings = {
  htmlLang: 'zh-CN',
  brand: '溯源 监管',
  switchTo: 'English',
  logout: '退出',
  roles: { regulator: '监管员', auditor: '审计员' },
  tabs: { network: '网络', explorer: '区块', search: '查询追溯', recall: '召回', alerts: '警报' },
  login: {
    title: '登录',
    userName: '用户名',
    password: '密码',
    submit: '登录',
    expired: '表单已过期，请重试。',
    tooMany: '尝试次数过多，请几分钟后再试。',
    wrong: '用户名或密码错误。',
  },
  network: {
    summary: '{replicas} 个副本，{groups} 个组。',
    replica: '副本',
    group: '组',
    view: '视图',
    heightLag: '{chain} 高度（落后）',
    lastCommit: '最近提交',
    chains: '链',
    chain: '链',
    height: '高度',
    headHash: '链头哈希',
  },
  explorer: {
    time: '时间',
    txs: '交易数',
    batch: '批',
    signers: '签名数',
    hash: '哈希',
    older: '更早的区块 →',
    rejected: '被拒绝的提交',
    submitterSeq: '提交者#序号',
    code: '代码',
    reason: '原因',
    block: '区块 {chain}#{height}',
    previous: '上一区块',
    txRoot: '交易根',
    batchSigners: '批 / 签名数',
    anchors: '锚定',
    what: '内容',
    readings: '{n} 条读数',
    gaps: '，{n} 处缺失',
    registry: '登记 {action}',
  },
  search: {
    label: '商品、批次、数字链接、EPC URI、参与方或设备',
    submit: '查询',
    participant: '参与方',
    device: '设备',
    unbound: '未绑定',
    noMatches: '没有匹配结果。',
  },
  trace: {
    title: '追溯：{key}',
    consumerPage: '消费者页面',
    epcis: 'EPCIS 2.0 导出',
    fsma: 'FSMA 204 表格',
    recallLot: '召回此批次',
    truncated: '追溯在 {n} 个标识处截断。',
    backward: '向上追溯（{n}）',
    forward: '向下追踪（{n}）',
  },
  recall: {
    title: '召回：批次 {lot}',
    lotLabel: '批次（批号、数字链接或 EPC 类别）',
    show: '显示受影响范围',
    noLot: '没有与 {query} 匹配的批次。',
    lotIs: '此批次状态：{status}。',
    itemsIn: ' 件商品，分布在 ',
    lotsHeldBy: ' 个批次，由 ',
    holdersEnd: ' 个持有方持有。',
    csv: '下载 CSV',
    reason: '原因',
    hold: '暂扣',
    recall: '召回',
    submit: '签名并提交到账本',
    auditorNote: '审计员只能查看和导出，不能暂扣。',
    holders: '持有方',
    lots: '批次',
    items: '商品',
    nItems: '{n} 件',
  },
  alerts: {
    count: '{n} 条警报。',
    kind: '类型',
    time: '时间',
    subject: '对象',
    what: '详情',
    kinds: {
      coldChain: '冷链超限',
      preHarvestInterval: '安全间隔期',
      rejected: '提交被拒绝',
      unknownDevice: '未知设备',
      sequenceGap: '序号缺失',
      suspectedClone: '疑似仿冒',
    },
    messages: {
      coldChain: '{device}：超出 {min}–{max} °C 共 {minutes} 分钟（峰值 {peak} °C）',
      preHarvestInterval: '施用 {product} 后 {waited} 天即采收；安全间隔期为 {interval} 天',
      rejected: '{code}：{reason}',
      unknownDevice: '{code}：{reason}',
      sequenceGap: '读数 {from}…{to} 缺失（{n} 条）',
      suspectedClone: '{reasons}：扫描 {count} 次，其中 {foreign} 次在 {region} 以外',
    },
  },
  keyKinds: { item: '商品', lot: '批次', pallet: '托盘', other: '其他' },
  statuses: { active: '正常', held: '已暂扣', recalled: '已召回', sold: '已售出' },
};

export const dashStrings: Readonly<Record<Lang, DashStrings>> = { zh, en };

export interface DashText {
  lang: Lang;
  t: DashStrings;
  /** The current URL with `lang` set to the other language: the switch's link. */
  switchHref: string;
}

export type LangEnv = { Variables: { text: DashText } };

/** The request's language: `?lang`, then the `lang` cookie, then Accept-Language. */
export function requestLang(c: Context): Lang {
  const query = c.req.query('lang');
  const lang = pickLang(query, getCookie(c, 'lang'), c.req.header('accept-language'));
  if (query === lang) setCookie(c, 'lang', lang, { path: '/', maxAge: 31_536_000, sameSite: 'Lax' });
  return lang;
}

/** Sets `text` on the context for every dashboard route; runs before login so the login page is localised. */
export const dashLang: MiddlewareHandler<LangEnv> = async (c, next) => {
  const lang = requestLang(c);
  const url = new URL(c.req.url);
  url.searchParams.set('lang', lang === 'zh' ? 'en' : 'zh');
  c.set('text', { lang, t: dashStrings[lang], switchHref: `${url.pathname}${url.search}` });
  await next();
};
