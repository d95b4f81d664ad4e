/**
 * Child process of atomic-apply.test.ts: applies the committed batches stored in `source` the way
 * the replica driver does (record the batch, execute it, in one transaction of the replica's
 * database) and kills itself with SIGKILL at the named crash point of batch `crashSeq`, i.e.
 * inside the transaction, after the step named. Usage:
 *   node --import tsx apply-crash-child.ts <dataDir> <source.sqlite> <ledger.json> <crashSeq> <point>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLedgerConfig } from '@suyuan/cloud/ledger/config';
import { LedgerMachine } from '@suyuan/cloud/ledger/ledger-machine';
import { ReplicaStore } from '@suyuan/cloud/replica/replica-store';

const [dataDir, sourcePath, configPath, crashSeqText, point] = process.argv.slice(2);
if (!dataDir || !sourcePath || !configPath || !crashSeqText || !point) {
  console.error('usage: apply-crash-child <dataDir> <source> <ledger.json> <crashSeq> <point>');
  process.exit(2);
}
const crashSeq = Number(crashSeqText);
const source = new ReplicaStore(sourcePath);
const store = new ReplicaStore(join(dataDir, 'replica.sqlite'));
const machine = new LedgerMachine(store.db, parseLedgerConfig(JSON.parse(readFileSync(configPath, 'utf8'))));
const crash = (at: string, seq: number) => {
  if (seq === crashSeq && point === at) process.kill(process.pid, 'SIGKILL');
};
for (let seq = machine.lastApplied() + 1; ; seq++) {
  const [batch] = source.batches(seq, seq, 1, Number.MAX_SAFE_INTEGER);
  if (!batch) break;
  store.db.transaction(() => {
    store.saveReady([], [batch], []);
    crash('afterRecord', seq);
    machine.applyBatch(batch);
    crash('afterApply', seq);
  })();
  crash('afterCommit', seq);
}
process.exit(0);
