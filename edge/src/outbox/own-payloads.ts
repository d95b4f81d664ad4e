import { canonicalize } from '@suyuan/shared';

/**
 * The payloads of a submission as the gateway signed and sent them, taken from its outbox body, for
 * checking a compact receipt (whose reading-batch transactions come without their payloads).
 *
 * `joined()`: the text between the brackets of the body's `payloads` array, as it is. A reading
 * batch body (seal.ts) writes each payload's canonical text, so this is the canonical text of the
 * transaction's payloads member without the brackets, found with two searches, not a parse. The body
 * is JSON we wrote; the prefix before the first `"payloads":[` and the suffix after the last `]` are
 * checked to hold only the envelope's short members (base64url texts and numbers, either member
 * order), so the cut is the whole array. A body of another shape gives null. (A member after the
 * payloads holding an array would end the cut too late; the gateway writes none, and a wrong cut
 * only misses the leaf, after which the check takes `canonicalTexts()`.)
 *
 * `canonicalTexts()`: every payload's canonical text, by parsing the body (the slower way, for a
 * body not written canonically or an entry that carries some payloads only).
 */
export class OwnPayloads {
  private readonly body: () => string;
  private joinedText: string | null | undefined;
  private texts: string[] | undefined;

  constructor(body: () => string) {
    this.body = body;
  }

  joined(): string | null {
    if (this.joinedText === undefined) this.joinedText = payloadsArrayContent(this.body());
    return this.joinedText;
  }

  canonicalTexts(): string[] {
    if (this.texts === undefined) {
      const parsed = JSON.parse(this.body()) as { submission?: { payloads?: unknown } };
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

export function payloadsArrayContent(body: string): string | null {
  const at = body.indexOf(payloadsKey);
  const end = body.lastIndexOf(']');
  const start = at + payloadsKey.length;
  if (at < 0 || end < start) return null;
  if (!bodyPrefix.test(body.slice(0, at)) || !bodySuffix.test(body.slice(end + 1))) return null;
  return body.slice(start, end);
}
