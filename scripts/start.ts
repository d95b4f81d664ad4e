/**
 * `pnpm start`: the main job. It grows with the system: today it reports which parts exist and
 * starts those that can run on their own. See README "Status".
 */
const parts = [
  { name: 'shared core library', ready: true },
  { name: 'PBFT replicas (suyuan-cloud)', ready: false },
  { name: 'edge gateway (suyuan-edge)', ready: false },
  { name: 'field-device simulator', ready: false },
];

console.log('Suyuan (溯源) local network');
for (const part of parts)
  console.log(`  ${part.ready ? '✓' : '·'} ${part.name}${part.ready ? '' : ' — not built yet'}`);
console.log('Nothing long-running exists yet, so there is nothing to start: run `bash scripts/test.sh`.');
