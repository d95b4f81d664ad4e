import { attestationBytes, generateKeyPair, groupedTopQuorum, sign, verify } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { byzantineQuorum } from '../consensus/config.ts';
import type { StateCertificate } from '../consensus/types.ts';
import { type LayerKeys, SignerHints } from './layer-crypto.ts';
import { decodeGroupedMessage, encodeGroupedMessage } from './messages.ts';
import { MemberCertificates } from './state-certified.ts';

// N = 12 in 3 groups of 4 (top quorum 2 of 3).
const replicas = Array.from({ length: 12 }, () => generateKeyPair());
const layout = {
  groups: [
    [0, 3, 6, 9],
    [1, 4, 7, 10],
    [2, 5, 8, 11],
  ],
};
const keys: LayerKeys = {
  layout,
  publicKeys: replicas.map((r) => r.publicKey),
  sign: (message) => sign(replicas[0]!.privateKey, message),
  verifyGlobal: (replica, message, signature) => verify(replicas[replica]!.publicKey, message, signature),
};
const digest = new Uint8Array(32).fill(3);
const attest = (signer: number, seq = 7) => sign(replicas[signer]!.privateKey, attestationBytes(seq, digest));

/** As the top core forms it: signers are group indexes (virtual replicas). */
function topCertificate(signers: [group: number, member: number][], seq = 7): StateCertificate {
  return {
    seq,
    stateDigest: digest,
    signatures: signers.map(([group, m]) => ({ replica: group, signature: attest(m, seq) })),
  };
}

describe('top state certificates for the ledger (gpbft)', () => {
  it("the shared verifier's top quorum is the core's byzantineQuorum for every g", () => {
    for (let g = 1; g <= 40; g++) expect(groupedTopQuorum(g)).toBe(byzantineQuorum(g));
  });

  it('resolves group signers to global ids (any member, hint or not) and refuses a short or foreign one', () => {
    const certs = new MemberCertificates(keys, new SignerHints(layout));
    const resolved = certs.resolve(
      topCertificate([
        [0, 6],
        [2, 2],
      ]),
    );
    expect(resolved?.signatures.map((s) => s.replica)).toEqual([6, 2]);
    expect(certs.resolve(topCertificate([[0, 6]]))).toBeNull();
    // Replica 4 (group 1) signing as group 0 is nobody of group 0: only one group remains.
    expect(
      certs.resolve(
        topCertificate([
          [0, 4],
          [2, 2],
        ]),
      ),
    ).toBeNull();
    // A member's signature relabelled to a global id of another group does not count there.
    expect(
      certs.holds({
        ...resolved!,
        signatures: [resolved!.signatures[0]!, { replica: 1, signature: attest(2) }],
      }),
    ).toBe(false);
  });

  it('a member hands a certificate to its application once, after executing that seq with that digest', () => {
    const certs = new MemberCertificates(keys, new SignerHints(layout));
    const cert = certs.resolve(
      topCertificate([
        [1, 10],
        [2, 5],
      ]),
    )!;
    const digests = new Map<number, Uint8Array>();
    expect(certs.accept(cert, (s) => digests.get(s), 6, false)).toEqual([]);
    expect(certs.executed(7, new Uint8Array(32).fill(9))).toEqual([]); // another state: never attached
    expect(certs.accept(cert, (s) => digests.get(s), 6, false)).toEqual([]);
    expect(certs.executed(7, digest)).toEqual([cert]);
    digests.set(7, digest);
    expect(certs.accept(cert, (s) => digests.get(s), 7, false)).toEqual([]); // already handed out
    const forged = {
      ...cert,
      signatures: cert.signatures.map((s) => ({ ...s, signature: attest(s.replica, 8) })),
    };
    expect(certs.accept({ ...forged, seq: 9 }, (s) => digests.get(s), 9, false)).toBeNull();
    // What was handed out is served to a lagging member with the decisions it fetches.
    expect(certs.between(1, 100, 10)).toEqual([cert]);
    expect(certs.between(8, 100, 10)).toEqual([]);
  });

  it('the certified message round-trips through the grouped codec', () => {
    const cert = new MemberCertificates(keys, new SignerHints(layout)).resolve(
      topCertificate([
        [0, 0],
        [1, 1],
      ]),
    )!;
    const bytes = encodeGroupedMessage({ layer: 'certified', certificates: [cert, cert] });
    expect(decodeGroupedMessage(bytes)).toEqual({ layer: 'certified', certificates: [cert, cert] });
    expect(() => decodeGroupedMessage(bytes.subarray(0, bytes.length - 1))).toThrow();
  });
});
