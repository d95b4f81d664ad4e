import { sha256, toHex } from '@suyuan/shared';
import { encodeRequests } from '../consensus/statements.ts';
import type { ClientRequest } from '../consensus/types.ts';
import { type LayerKeys, type SignerHints, verifyFinalBatch } from '../gpbft/index.ts';
import type { SafetyChecker } from './invariants.ts';

type FinalBatch = Parameters<typeof verifyFinalBatch>[2] & { requests: ClientRequest[] };

/**
 * The grouped mode's final-order invariants: in order per replica, one content per final seq
 * everywhere (checked on what executes: the flattened client requests), and every final batch's
 * certificates verify from public keys alone. Violations go into the shared SafetyChecker.
 */
export class FinalOrderChecker {
  private readonly checker: SafetyChecker;
  private readonly keys: LayerKeys;
  private readonly hints: SignerHints;
  private readonly verified = new Set<string>();
  private readonly content = new Map<number, string>();

  constructor(checker: SafetyChecker, keys: LayerKeys, hints: SignerHints) {
    this.checker = checker;
    this.keys = keys;
    this.hints = hints;
  }

  onCommitted(now: number, replica: number, batch: FinalBatch, appliedBefore: number): void {
    const fail = (why: string): void => {
      if (this.checker.violations.length < 20) this.checker.violations.push(`t=${now} ${why}`);
    };
    if (batch.seq !== appliedBefore + 1)
      fail(`replica ${replica} got seq ${batch.seq} after ${appliedBefore}`);
    const content = toHex(sha256(encodeRequests(batch.requests)));
    const previous = this.content.get(batch.seq);
    if (previous === undefined) this.content.set(batch.seq, content);
    else if (previous !== content)
      fail(`seq ${batch.seq} committed ${previous.slice(0, 8)} and ${content.slice(0, 8)}`);
    const key = `${batch.seq}:${toHex(batch.certificate.batchDigest)}:${batch.certificate.signatures.length}`;
    if (this.verified.has(key)) return;
    if (verifyFinalBatch(this.keys, this.hints, batch, encodeRequests)) this.verified.add(key);
    else
      this.checker.violations.push(
        `t=${now} replica ${replica} seq ${batch.seq}: final certificate does not verify`,
      );
  }
}
