import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommittedBatch } from '@suyuan/cloud/consensus/types';
import { defaultChains, parseLedgerConfig } from '@suyuan/cloud/ledger/config';
import { LedgerMachine } from '@suyuan/cloud/ledger/ledger-machine';
import {
  type Actor,
  actor,
  clientRequest,
  events,
  farmToForkJourney,
  gtin,
  item,
  lot,
  register,
  sscc,
  submitBody,
  T0,
} from '@suyuan/cloud/ledger/testing';
import { replayStoredBatches } from '@suyuan/cloud/replica/driver';
import { ReplicaStore } from '@suyuan/cloud/replica/replica-store';
import { toBase64Url } from '@suyuan/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../cluster/harness.ts';

/**
 * "One atomic commit": a replica records a committed batch and the ledger executes it in ONE
 * SQLite transaction of the replica's database. A real process is killed with SIGKILL at each
 * point between the steps; after restart, the replica's batches and the ledger agree (both or
 * neither hold the batch), replay finishes the work, and the final ledger equals, row for row, a
 * replica that never crashed.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function journeyBatches(): { config: unknown; batches: CommittedBatch[] } {
  const admin = actor('admin');
  const [farm, carrier, processor, shop, stranger] = ['farm', 'carrier', 'plant', 'shop', 'x'].map(actor) as [
    Actor,
    Actor,
    Actor,
    Actor,
    Actor,
  ];
  const config = {
    chains: defaultChains,
    genesis: { admins: [{ id: admin.id, name: 'Admin', publicKey: toBase64Url(admin.key.publicKey) }] },
  };
  const goods = {
    box: item(gtin.tomato, 'B1'),
    harvest: lot(gtin.tomato, 'L1'),
    pallet: sscc(1),
    sauce: lot(gtin.sauce, 'S1'),
    jar: item(gtin.sauce, 'J1'),
    harvestKg: 200,
    sauceKg: 150,
  };
  const bodies = [
    submitBody(
      admin,
      [
        register(farm, ['farm']),
        register(carrier, ['logistics']),
        register(processor, ['processor']),
        register(shop, ['retailer']),
      ],
      T0,
    ),
    ...farmToForkJourney({ farm, carrier, processor, shop }, goods, T0).map(([who, payload]) =>
      submitBody(who, [payload], T0),
    ),
    submitBody(stranger, [events.commission(T0, [item(gtin.tomato, 'nope')])], T0), // rejected
  ];
  const batches = bodies.map((body, i) => ({
    seq: i + 1,
    view: 0,
    requests: [clientRequest(body)],
    certificate: { view: 0, seq: i + 1, batchDigest: new Uint8Array(32), signatures: [] },
  }));
  return { config, batches };
}

/** Everything the ledger and the replica store hold, as comparable rows. */
function dump(store: ReplicaStore): unknown {
  const all = (sql: string) => store.db.prepare(sql).all();
  return {
    replicaBatches: all('SELECT seq, requests FROM batches ORDER BY seq'),
    ledgerBatches: all('SELECT seq, state_digest, headers FROM ledger_batches ORDER BY seq'),
    blocks: all('SELECT chain, height, header_hash FROM blocks ORDER BY chain, height'),
    txs: all('SELECT chain, height, idx, tx FROM txs ORDER BY chain, height, idx'),
    submissions: all('SELECT submitter, seq, status, reason, txs FROM submissions ORDER BY submitter, seq'),
    items: all('SELECT * FROM items ORDER BY key'),
    itemEvents: all('SELECT * FROM item_events ORDER BY item, n'),
  };
}

function applyAll(store: ReplicaStore, machine: LedgerMachine, batches: CommittedBatch[]): void {
  for (const batch of batches.slice(machine.lastApplied())) {
    store.db.transaction(() => {
      store.saveReady([], [batch], []);
      machine.applyBatch(batch);
    })();
  }
}

function runChild(args: string[]): Promise<NodeJS.Signals | null> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'apply-crash-child.ts'), ...args],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
}

describe('applying a batch and recording it are one commit', { timeout: 120_000 }, () => {
  it('survives kill -9 at every point between the steps with the state of a replica that did not crash', async () => {
    const root = mkdtempSync(join(tmpdir(), 'suyuan-atomic-'));
    dirs.push(root);
    const { config, batches } = journeyBatches();
    const configPath = join(root, 'ledger.json');
    writeFileSync(configPath, JSON.stringify(config));
    const source = new ReplicaStore(join(root, 'source.sqlite'));
    source.saveReady([], batches, []);
    source.close();

    const reference = new ReplicaStore(join(root, 'reference.sqlite'));
    const referenceLedger = new LedgerMachine(reference.db, parseLedgerConfig(config));
    applyAll(reference, referenceLedger, batches);
    const expected = dump(reference);
    expect(referenceLedger.chains.submission(batches.at(-1)!.requests[0]!.submitter, 1)?.status).toBe(
      'rejected',
    );
    reference.close();

    const crashSeq = 5;
    for (const point of ['afterRecord', 'afterApply', 'afterCommit']) {
      const dataDir = join(root, point);
      mkdirSync(dataDir);
      const signal = await runChild([dataDir, join(root, 'source.sqlite'), configPath, `${crashSeq}`, point]);
      expect(signal).toBe('SIGKILL');

      const store = new ReplicaStore(join(dataDir, 'replica.sqlite'));
      const machine = new LedgerMachine(store.db, parseLedgerConfig(config));
      const survived = point === 'afterCommit' ? crashSeq : crashSeq - 1;
      expect({ point, recorded: store.lastBatchSeq(), applied: machine.lastApplied() }).toEqual({
        point,
        recorded: survived,
        applied: survived,
      });
      const app = { machine, close: () => undefined };
      expect(replayStoredBatches(store, app)).toBe(survived);
      applyAll(store, machine, batches);
      expect(dump(store)).toEqual(expected);
      store.close();
    }
  });
});
