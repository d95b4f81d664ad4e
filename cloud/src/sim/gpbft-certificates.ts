import { toHex, verifyStateCertificateWire } from '@suyuan/shared';
import type { StateCertificate } from '../consensus/types.ts';
import type { GroupLayout } from '../gpbft/index.ts';
import { certificateToWire } from '../ledger/certificate-wire.ts';
import type { SafetyChecker } from './invariants.ts';

/** Distinct certificates whose verdict one run remembers (each is verified once while kept). */
const verdictsKeptMax = 20_000;

/**
 * The grouped mode's state-certificate invariants (the ledger's proofs): every state certificate an
 * honest replica holds (hands to its application: `certified` in its ready) or hands out (`certified`
 * messages to its members, or to a lagging member with fetched decisions) verifies, in the form the
 * ledger publishes it (`certificateToWire`: tagged grouped with g > 1, flat with g = 1), with the
 * shared offline verifier `verifyStateCertificateWire` against the replica public keys and the
 * layout; no two verified certificates for one seq carry different state digests; and a verified
 * digest is the one honest replicas reached at that seq. Violations go into the shared SafetyChecker.
 */
export class GroupedCertificateChecker {
  private readonly checker: SafetyChecker;
  private readonly publicKeys: readonly Uint8Array[];
  private readonly layout: GroupLayout;
  /** Certificate wire text → null (verifies) or why not. */
  private readonly verdicts = new Map<string, string | null>();
  /** seq → state digest (hex) of the first verified certificate for it. */
  private readonly digests = new Map<number, string>();

  constructor(checker: SafetyChecker, publicKeys: readonly Uint8Array[], layout: GroupLayout) {
    this.checker = checker;
    this.publicKeys = publicKeys;
    this.layout = layout;
  }

  /** A certificate honest `replica` handed to its application ('holds') or sent ('hands out'). */
  check(tick: number, replica: number, cert: StateCertificate, how: 'holds' | 'hands out'): void {
    const grouped = this.layout.groups.length > 1 ? this.layout.groups : undefined;
    const wire = certificateToWire(cert, grouped);
    const text = JSON.stringify(wire);
    let verdict = this.verdicts.get(text);
    if (verdict === undefined) {
      verdict = verifyStateCertificateWire(wire, this.publicKeys, this.layout.groups);
      if (this.verdicts.size >= verdictsKeptMax) this.verdicts.clear();
      this.verdicts.set(text, verdict);
    }
    const what = `replica ${replica} ${how} a state certificate for seq ${cert.seq}`;
    if (verdict !== null) {
      this.checker.fail(tick, `${what} that does not verify: ${verdict}`);
      return;
    }
    const digest = toHex(cert.stateDigest);
    const previous = this.digests.get(cert.seq);
    if (previous === undefined) this.digests.set(cert.seq, digest);
    else if (previous !== digest)
      this.checker.fail(
        tick,
        `${what}: two verified digests, ${previous.slice(0, 8)} and ${digest.slice(0, 8)}`,
      );
    const executed = this.checker.stateDigestAt(cert.seq);
    if (executed !== undefined && executed !== digest)
      this.checker.fail(tick, `${what} whose digest is not the state honest replicas reached`);
  }
}
