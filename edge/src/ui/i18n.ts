/**
 * Farmer UI strings in Chinese and English. `?lang=` wins, then the `lang` cookie the switch sets,
 * then Accept-Language (highest q first); Chinese when nothing matches.
 */
export type Lang = 'zh' | 'en';

const isLang = (v: string | undefined): v is Lang => v === 'zh' || v === 'en';

export function pickLang(
  query: string | undefined,
  cookie: string | undefined,
  accept: string | undefined,
): Lang {
  if (isLang(query)) return query;
  if (isLang(cookie)) return cookie;
  const ranked = (accept ?? '')
    .split(',')
    .slice(0, 20)
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { base: tag.split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0 && isLang(x.base))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  const base = ranked[0]?.base;
  return isLang(base) ? base : 'zh';
}

const en = {
  htmlLang: 'en',
  app: 'Farm gateway',
  switchTo: '中文',
  home: 'Status',
  plots: 'Plots & lots',
  work: 'Field work',
  harvest: 'Harvest',
  devices: 'Devices',
  device: 'Device',
  lastSeen: 'Last seen',
  latest: 'Latest readings',
  noDevices: 'No devices have sent readings yet.',
  sync: 'Sync with the cloud',
  backlog: 'Waiting to upload',
  submissions: 'submissions',
  deadLetters: 'Refused by the cloud (dead letters)',
  lastCommit: 'Last confirmed upload',
  never: 'never',
  addPlot: 'Add a plot',
  code: 'Code',
  name: 'Name',
  areaHa: 'Area (ha)',
  crop: 'Crop',
  save: 'Save',
  noPlots: 'No plots yet. Add one first.',
  lots: 'Harvested lots',
  items: 'items',
  labels: 'Labels',
  plot: 'Plot',
  kind: 'Work',
  planting: 'Planting',
  fertilising: 'Fertiliser',
  spraying: 'Pesticide spraying',
  irrigating: 'Irrigation',
  product: 'Product (name)',
  amount: 'Amount',
  unit: 'Unit',
  phiDays: 'Pre-harvest interval (days)',
  phiHint: 'Required for spraying: days from the label before harvest is allowed.',
  record: 'Record',
  recent: 'Recent field work',
  lotCode: 'Lot code',
  quantityKg: 'Quantity (kg)',
  itemCount: 'Items to commission',
  tagsSeen: 'Tags the reader sees (bind to items in order)',
  noTags: 'No unbound tags read in the last 10 minutes.',
  doHarvest: 'Harvest and print labels',
  phiRefused:
    'Harvest refused: plot {plot} was sprayed with {product} on {date}; its pre-harvest interval of {days} days ends on {until} ({left} days left).',
  saved: 'Saved and queued for upload (submission {seq}).',
  invalid: 'Please correct: {detail}',
  csrf: 'The form expired or came from another page. Reload and try again.',
  tooLarge: 'The form is too large.',
  password: 'Password',
  login: 'Sign in',
  wrongPassword: 'Wrong password.',
  notFound: 'Not found.',
  duplicate: '{what} already exists.',
  tagBound: 'Tag {tag} is already bound to an item.',
  printHint: 'Print this page (phone: Share → Print).',
  outboxFull: 'Not saved: the upload queue is full. Check the connection to the cloud, then try again.',
  internal: 'Something went wrong; nothing was saved. Please try again.',
};

export type Strings = typeof en;

const zh: Strings = {
  htmlLang: 'zh-CN',
  app: '农场网关',
  switchTo: 'English',
  home: '状态',
  plots: '地块与批次',
  work: '农事记录',
  harvest: '采收',
  devices: '设备',
  device: '设备',
  lastSeen: '最近上报',
  latest: '最新读数',
  noDevices: '还没有设备上报读数。',
  sync: '与云端同步',
  backlog: '待上传',
  submissions: '个提交',
  deadLetters: '被云端拒绝（死信）',
  lastCommit: '最近一次确认上传',
  never: '从未',
  addPlot: '添加地块',
  code: '编号',
  name: '名称',
  areaHa: '面积（公顷）',
  crop: '作物',
  save: '保存',
  noPlots: '还没有地块，请先添加。',
  lots: '已采收批次',
  items: '件',
  labels: '标签',
  plot: '地块',
  kind: '农事',
  planting: '播种/定植',
  fertilising: '施肥',
  spraying: '喷洒农药',
  irrigating: '灌溉',
  product: '产品名称',
  amount: '用量',
  unit: '单位',
  phiDays: '安全间隔期（天）',
  phiHint: '喷药必填：按农药标签，距采收至少的天数。',
  record: '记录',
  recent: '最近农事',
  lotCode: '批次号',
  quantityKg: '数量（公斤）',
  itemCount: '赋码件数',
  tagsSeen: '读写器看到的标签（按顺序绑定到各件）',
  noTags: '最近 10 分钟没有读到未绑定的标签。',
  doHarvest: '采收并打印标签',
  phiRefused:
    '不能采收：地块 {plot} 于 {date} 喷洒了 {product}，安全间隔期 {days} 天，到 {until} 才结束（还剩 {left} 天）。',
  saved: '已保存，等待上传（提交号 {seq}）。',
  invalid: '请更正：{detail}',
  csrf: '表单已过期或来自其他页面，请刷新后重试。',
  tooLarge: '表单内容过大。',
  password: '密码',
  login: '登录',
  wrongPassword: '密码错误。',
  notFound: '未找到。',
  duplicate: '{what} 已存在。',
  tagBound: '标签 {tag} 已绑定到其他商品。',
  printHint: '打印本页（手机：分享 → 打印）。',
  outboxFull: '未保存：上传队列已满。请检查与云端的连接，然后重试。',
  internal: '出错了，没有保存任何内容。请重试。',
};

export const strings: Readonly<Record<Lang, Strings>> = { zh, en };

export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

export function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
