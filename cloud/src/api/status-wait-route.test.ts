import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, statusWaitHeader, submissionStatusSchema, toBase64Url } from '@suyuan/shared';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommittedBatch } from '../consensus/types.ts';
import { defaultChains } from '../ledger/config.ts';
import { actor, clientRequest, register, submitBody, T0 } from '../ledger/testing.ts';
import type { ReplicaApp } from '../replica/app/replica-app.ts';
import { createLedgerReplicaApp, ledgerConfigFile } from './ledger-replica-app.ts';
import { statusWaitMsMax } from './status-waits.ts';

/**
 * The held status GET on the ledger as a replica application: the app is fed the way the replica
 * driver feeds it (applyBatch, then attachStateCertificate), and a GET with `?waitMs=` answers when
 * the receipt exists, not before.
 */
let dir: string;
let db: Database.Database;
let app: ReplicaApp;
let hono: Hono;
const admin = actor('admin');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'suyuan-status-wait-'));
  writeFileSync(
    join(dir, ledgerConfigFile),
    JSON.stringify({
      chains: defaultChains,
      genesis: { admins: [{ id: admin.id, name: 'Admin', publicKey: toBase64Url(admin.key.publicKey) }] },
    }),
  );
  db = new Database(join(dir, 'replica.sqlite'));
  db.exec('CREATE TABLE state_certificates (seq INTEGER PRIMARY KEY, state_digest BLOB, certificate BLOB)');
  app = createLedgerReplicaApp({
    dataDir: dir,
    replicaId: 0,
    replicaPublicKeys: [generateKeyPair().publicKey],
    db,
  });
  hono = new Hono();
  // What the replica's own intake answers for an accepted request (the app proposes through it).
  hono.post('/v1/requests', (c) => c.json({ status: 'accepted' }, 202));
  app.routes!(hono);
});
afterEach(() => {
  app.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const submission = () => submitBody(admin, [register(actor(`farm-${admin.seq}`), ['farm'])], T0);

async function post(body: ReturnType<typeof submission>): Promise<Response> {
  return hono.request('/v1/submissions', {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
}

function statusPath(body: ReturnType<typeof submission>, query = ''): string {
  return `/v1/submissions/${body.submission.submitter}/${body.submission.seq}${query}`;
}

/** Runs the submission alone in the next batch, as the driver does; returns the batch seq. */
function execute(body: ReturnType<typeof submission>): { seq: number; stateDigest: Uint8Array } {
  const seq = app.machine.lastApplied() + 1;
  const batch: CommittedBatch = {
    seq,
    view: 0,
    requests: [clientRequest(body)],
    certificate: { view: 0, seq, batchDigest: new Uint8Array(32), signatures: [] },
  };
  return { seq, stateDigest: app.machine.applyBatch(batch).stateDigest };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('GET /v1/submissions/{submitter}/{seq}?waitMs=', () => {
  it('holds a pending submission until its batch is certified, then answers with the receipt', async () => {
    const body = submission();
    const accepted = await post(body);
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get(statusWaitHeader)).toBe(String(statusWaitMsMax));

    let answered: Response | null = null;
    const held = Promise.resolve(hono.request(statusPath(body, '?waitMs=60000'))).then((res) => {
      answered = res;
      return res;
    });
    await settle();
    expect(answered).toBeNull();
    const { seq, stateDigest } = execute(body);
    await settle();
    expect(answered).toBeNull(); // executed, but no certificate yet: no receipt to give
    app.machine.attachStateCertificate({ seq, stateDigest, signatures: [] });
    await settle();
    expect(answered).not.toBeNull(); // woken by the certificate, not by its 10 s cap
    const res = await held;
    expect(res.status).toBe(200);
    const status = submissionStatusSchema.parse(await res.json());
    expect(status.status).toBe('committed');
    expect(status.status === 'committed' && status.receipt.seq).toBe(body.submission.seq);
  });

  it('holds a GET that arrives after execution until the certificate', async () => {
    const body = submission();
    await post(body);
    const { seq, stateDigest } = execute(body);
    let done = false;
    const held = Promise.resolve(hono.request(statusPath(body, '?waitMs=60000'))).then((res) => {
      done = true;
      return res;
    });
    await settle();
    expect(done).toBe(false);
    app.machine.attachStateCertificate({ seq, stateDigest, signatures: [] });
    await settle();
    expect(done).toBe(true);
    expect(((await (await held).json()) as { status: string }).status).toBe('committed');
  });

  it('answers pending after waitMs when nothing commits, and at once without waitMs', async () => {
    const body = submission();
    await post(body);
    const quick = await hono.request(statusPath(body));
    expect(await quick.json()).toEqual({ status: 'pending' });
    expect(quick.headers.get(statusWaitHeader)).toBe(String(statusWaitMsMax));
    const waited = await hono.request(statusPath(body, '?waitMs=5'));
    expect(await waited.json()).toEqual({ status: 'pending' });
  });

  it('answers unknown and committed at once, and refuses a bad waitMs', async () => {
    const body = submission();
    expect(await (await hono.request(statusPath(body, '?waitMs=60000'))).json()).toEqual({
      status: 'unknown',
    });
    await post(body);
    const { seq, stateDigest } = execute(body);
    app.machine.attachStateCertificate({ seq, stateDigest, signatures: [] });
    const committed = await hono.request(statusPath(body, '?waitMs=60000'));
    expect(((await committed.json()) as { status: string }).status).toBe('committed');
    for (const bad of ['-1', 'soon', '1.5', '1234567890']) {
      const res = await hono.request(statusPath(body, `?waitMs=${bad}`));
      expect(res.status).toBe(400);
    }
  });
});
