/**
 * Consumer-page strings in Chinese and English. The choice between them (shared/src/lang.ts): `?lang=`
 * wins, then the `lang` cookie the switch sets, then Accept-Language (first supported tag by q-value).
 */

export { fill, type Lang, languages, pickLang } from '@suyuan/shared/lang';

import type { Lang } from '@suyuan/shared/lang';

const en = {
  htmlLang: 'en',
  appName: 'Suyuan traceability',
  switchTo: '中文',
  product: 'Product',
  farm: 'Farm',
  origin: 'Origin',
  lot: 'Lot',
  serial: 'Serial',
  harvested: 'Harvested',
  holder: 'Now at',
  journey: 'Journey',
  growing: 'Growing conditions',
  coldChain: 'Cold chain',
  soilTemperature: 'Field temperature (°C)',
  soilMoisture: 'Soil moisture (%)',
  transportTemperature: 'Temperature in transport and storage (°C)',
  allowedRange: 'allowed {min}–{max} °C',
  excursion: 'Outside the allowed range for {minutes} min',
  noReadings: 'No readings recorded',
  heldNotice:
    'ON HOLD: the regulator has placed this product on hold. Do not eat it until the hold is lifted.',
  recalledNotice: 'RECALLED: this product has been recalled. Do not eat it; return it to the shop.',
  cloneNotice:
    'Warning: this code has been scanned unusually often or far from where it was delivered. It may be a copied label; check with the shop.',
  phi: 'pre-harvest interval {days} days',
  applied: 'applied',
  items: 'items',
  notFoundTitle: 'Not found',
  notFound: 'We have no record of {id}.',
  badRequestTitle: 'Not a valid code',
  badRequest: 'This link is not a valid GS1 Digital Link: {reason}',
  lotPageNote: 'This code names a whole lot. Items in it:',
  qrLabels: 'Print QR labels',
  stages: {
    field: 'Planting and field work',
    harvest: 'Harvest',
    packing: 'Packing',
    transport: 'Transport',
    storage: 'Storage',
    retail: 'Retail',
    hold: 'Hold / recall',
    other: 'Other',
  },
  steps: {
    planting: 'Planted',
    fertilising: 'Fertilised',
    spraying: 'Sprayed',
    irrigating: 'Irrigated',
    harvesting: 'Harvested',
    commissioning: 'Labelled',
    packing: 'Packed on pallet',
    shipping: 'Shipped',
    receiving: 'Received',
    storing: 'Stored in cold room',
    retail_selling: 'Sold',
    holding: 'Placed on hold',
    creating_class_instance: 'Processed',
  } as Record<string, string>,
  badge: {
    checking: 'Checking the proofs…',
    verified: 'Verified: this history is signed and unaltered',
    failed: 'Verification failed',
    summary: '{events} records and {certificates} replica certificate(s) checked in this browser',
    fetchFailed: 'could not load the proofs',
    event: 'Record',
    checks: {
      format: 'proof format',
      submitterSignature: "submitter's signature",
      payloadInclusion: 'payload in the signed submission',
      txInclusion: 'record in its block',
      headerInclusion: 'block in the certified state',
      certificate: 'replica certificate',
      chainLink: 'link to the previous record',
    } as Record<string, string>,
  },
  regions: {
    CN: 'China',
    'CN-LN': 'Liaoning, China',
    'CN-SD': 'Shandong, China',
    'CN-SH': 'Shanghai, China',
    'CN-BJ': 'Beijing, China',
  } as Record<string, string>,
};

export type Strings = typeof en;

const zh: Strings = {
  htmlLang: 'zh-CN',
  appName: '溯源',
  switchTo: 'English',
  product: '产品',
  farm: '农场',
  origin: '产地',
  lot: '批次',
  serial: '序列号',
  harvested: '采收',
  holder: '现在位置',
  journey: '全程记录',
  growing: '种植环境',
  coldChain: '冷链',
  soilTemperature: '田间温度 (°C)',
  soilMoisture: '土壤湿度 (%)',
  transportTemperature: '运输与储存温度 (°C)',
  allowedRange: '允许 {min}–{max} °C',
  excursion: '超出允许范围 {minutes} 分钟',
  noReadings: '没有记录',
  heldNotice: '暂停销售：监管部门已暂扣此产品。在解除前请勿食用。',
  recalledNotice: '已召回：此产品已被召回。请勿食用，请退回商店。',
  cloneNotice: '警告：此码被扫描次数异常或扫描地点与配送地不符，可能是仿冒标签，请向商店核实。',
  phi: '安全间隔期 {days} 天',
  applied: '使用',
  items: '件',
  notFoundTitle: '未找到',
  notFound: '没有 {id} 的记录。',
  badRequestTitle: '无效的码',
  badRequest: '这不是有效的 GS1 数字链接：{reason}',
  lotPageNote: '此码代表整个批次，其中的商品：',
  qrLabels: '打印二维码标签',
  stages: {
    field: '种植与田间管理',
    harvest: '采收',
    packing: '包装',
    transport: '运输',
    storage: '储存',
    retail: '零售',
    hold: '暂扣 / 召回',
    other: '其他',
  },
  steps: {
    planting: '播种',
    fertilising: '施肥',
    spraying: '施药',
    irrigating: '灌溉',
    harvesting: '采收',
    commissioning: '贴码',
    packing: '装托',
    shipping: '发运',
    receiving: '收货',
    storing: '冷库储存',
    retail_selling: '售出',
    holding: '暂扣',
    creating_class_instance: '加工',
  },
  badge: {
    checking: '正在验证…',
    verified: '已验证：记录有签名且未被篡改',
    failed: '验证失败',
    summary: '在本浏览器中对照 {certificates} 个副本证书核验了 {events} 条记录',
    fetchFailed: '无法加载证明',
    event: '记录',
    checks: {
      format: '证明格式',
      submitterSignature: '提交者签名',
      payloadInclusion: '签名提交中的内容',
      txInclusion: '区块中的记录',
      headerInclusion: '认证状态中的区块',
      certificate: '副本证书',
      chainLink: '与上一条记录的链接',
    },
  },
  regions: {
    CN: '中国',
    'CN-LN': '中国辽宁',
    'CN-SD': '中国山东',
    'CN-SH': '中国上海',
    'CN-BJ': '中国北京',
  },
};

export const strings: Readonly<Record<Lang, Strings>> = { zh, en };

/** A participant name is stored as "中文 English"; show the part for the language. */
export function localName(name: string, lang: Lang): string {
  const cut = name.search(/ [A-Za-z]/);
  if (cut < 0 || !/[\u4e00-\u9fff]/.test(name.slice(0, cut))) return name;
  return lang === 'zh' ? name.slice(0, cut) : name.slice(cut + 1);
}
