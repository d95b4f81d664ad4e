import {
  attestationBytes,
  canonicalBytes,
  commitVoteBytes,
  concatBytes,
  domainHash,
  type Ed25519KeyPair,
  sign,
  toBase64Url,
} from '@suyuan/shared';
import type { ClientRequest, CommittedBatch, ReplicatedStateMachine } from '../consensus/types.ts';

export type OrderResult = 'accepted' | 'duplicate' | 'full';

/**
 * Single-replica mode: the same ReplicatedStateMachine interface as under PBFT, ordered by one
 * process that batches requests and certifies each batch with its own key (n = 1, quorum 1). It
 * keeps the ledger and API testable without the replica process, and its certificates verify with
 * the same shared verifier (replica public keys = [this key]).
 */
export interface LocalOrdererOptions {
  batchRequestsMax: number;
  pendingRequestsMax: number;
  /** How a flush is scheduled after a submit (setImmediate by default; tests may flush by hand). */
  schedule?: (run: () => void) => void;
}

export class LocalOrderer {
  private readonly machine: ReplicatedStateMachine;
  private readonly key: Ed25519KeyPair;
  private readonly options: LocalOrdererOptions;
  private readonly queue: ClientRequest[] = [];
  private readonly queued = new Set<string>();
  private flushScheduled = false;

  constructor(machine: ReplicatedStateMachine, key: Ed25519KeyPair, options: LocalOrdererOptions) {
    this.machine = machine;
    this.key = key;
    this.options = options;
  }

  get replicaPublicKeys(): Uint8Array[] {
    return [this.key.publicKey];
  }

  pendingCount(): number {
    return this.queue.length;
  }

  isQueued(submitter: string, seq: number): boolean {
    return this.queued.has(`${submitter}#${seq}`);
  }

  propose(request: ClientRequest): OrderResult {
    const id = `${request.submitter}#${request.seq}`;
    if (this.queued.has(id)) return 'duplicate';
    if (this.queue.length >= this.options.pendingRequestsMax) return 'full';
    this.queue.push(request);
    this.queued.add(id);
    if (!this.flushScheduled && this.options.schedule !== undefined) {
      this.flushScheduled = true;
      this.options.schedule(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
    return 'accepted';
  }

  /** Orders everything queued into batches, applies and certifies them; returns batches made. */
  flush(): number {
    let made = 0;
    while (this.queue.length > 0) {
      const requests = this.queue.splice(0, this.options.batchRequestsMax);
      this.orderBatch(requests);
      for (const r of requests) this.queued.delete(`${r.submitter}#${r.seq}`);
      made++;
    }
    return made;
  }

  private orderBatch(requests: ClientRequest[]): void {
    const seq = this.machine.lastApplied() + 1;
    const batchDigest = domainHash(
      'consensusBatch',
      concatBytes(...requests.map((r) => domainHash('envelope', canonicalBytes(toBase64Url(r.body))))),
    );
    const commit = sign(this.key.privateKey, commitVoteBytes(0, seq, batchDigest));
    const batch: CommittedBatch = {
      seq,
      view: 0,
      requests,
      certificate: { view: 0, seq, batchDigest, signatures: [{ replica: 0, signature: commit }] },
    };
    const { stateDigest } = this.machine.applyBatch(batch);
    const attest = sign(this.key.privateKey, attestationBytes(seq, stateDigest));
    this.machine.attachStateCertificate({
      seq,
      stateDigest,
      signatures: [{ replica: 0, signature: attest }],
    });
  }
}
