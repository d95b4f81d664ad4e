import { canonicalize } from '@suyuan/shared';

/**
 * The payloads of a submission as the gateway signed and sent them, taken from its outbox body, for
 * checking a compact receipt (whose reading-batch transactions come without their payloads). The
 * body is taken as bytes (`OutboxStore.bodyBytes`): making a ~1 MB JS string of it, and UTF-8 bytes
 * of that again for the hash, cost more than the hash itself.
 *
 * `joined()`: the bytes between the brackets of the body's `payloads` array, as they are. A reading
 * batch body (seal.ts) writes each payload's canonical text, so these are the canonical bytes of the
 * transaction's payloads member without the brackets, found with two searches, not a parse. The
 * body is JSON we wrote; the prefix before the first `"payloads":[` and the suffix after the last `]`
 * are checked to hold only the envelope's short members (base64url texts and numbers, either member
 * order), so the cut is the whole array. A body of another shape gives null. (A member after the
 * payloads holding an array would end the cut too late; the gateway writes none, and a wrong cut
 * only misses the leaf, after which the check takes `canonicalTexts()`.)
 *
 * `canonicalTexts()`: every payload's canonical text, by parsing the body (the slower way, for a
 * body not written canonically or an entry that carries some payloads only).
 */
export class OwnPayloads {
  private readonly source: () => string | Uint8Array;
  private bytes: Buffer | undefined;
  private joinedBytes: Uint8Array | null | undefined;
  private texts: string[] | undefined;

  constructor(body: () => string | Uint8Array) {
    this.source = body;
  }

  private body(): Buffer {
    if (this.bytes === undefined) {
      const body = this.source();
      this.bytes =
        typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.length);
    }
    return this.bytes;
  }

  joined(): Uint8Array | null {
    if (this.joinedBytes === undefined) this.joinedBytes = payloadsArrayContent(this.body());
    return this.joinedBytes;
  }

  canonicalTexts(): string[] {
    if (this.texts === undefined) {
      const parsed = JSON.parse(this.body().toString('utf8')) as { submission?: { payloads?: unknown } };
      const payloads = parsed.submission?.payloads;
      this.texts = Array.isArray(payloads) ? payloads.map((p) => canonicalize(p)) : [];
    }
    return this.texts;
  }
}

const member = '"[A-Za-z]+":(?:"[A-Za-z0-9_-]*"|\\d+)';
const bodyPrefix = new RegExp(`^\\{(?:"publicKey":"[A-Za-z0-9_-]*",)?"submission":\\{(?:${member},)*$`);
const bodySuffix = new RegExp(`^(?:,${member})*\\}(?:,"publicKey":"[A-Za-z0-9_-]*")?\\}$`);
const payloadsKey = '"payloads":[';
const closingBracket = 0x5d;
/** The envelope around the payloads is a few hundred bytes; anything longer is not ours. */
const envelopeBytesMax = 4096;

/** The bytes inside the body's `payloads` array (see `OwnPayloads.joined`), or null. */
export function payloadsArrayContent(body: Buffer): Uint8Array | null {
  const at = body.indexOf(payloadsKey);
  const end = body.lastIndexOf(closingBracket);
  const start = at + payloadsKey.length;
  if (at < 0 || end < start || at > envelopeBytesMax || body.length - end > envelopeBytesMax) return null;
  const prefix = body.toString('latin1', 0, at);
  const suffix = body.toString('latin1', end + 1);
  if (!bodyPrefix.test(prefix) || !bodySuffix.test(suffix)) return null;
  return body.subarray(start, end);
}
