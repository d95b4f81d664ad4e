import { SIGNATURE_BYTES } from '@suyuan/shared';
import { requestsBytesExpected } from './statements.ts';
import type { ConsensusMessage } from './types.ts';

/** Room for everything but request bodies and batches: tags, numbers, digests, signatures. */
const FIXED_FIELDS_BYTES = 256;

/** About the bytes `encodeMessage` writes (at least them for a batch of requests: no growing). */
export function messageBytesExpected(message: ConsensusMessage): number {
  switch (message.type) {
    case 'prePrepare':
    case 'body':
      return FIXED_FIELDS_BYTES + requestsBytesExpected(message.requests);
    case 'request':
      return FIXED_FIELDS_BYTES + requestsBytesExpected([message.request]);
    case 'viewChange':
    case 'newView':
      return FIXED_FIELDS_BYTES + message.payload.length;
    case 'batches': {
      let bytes = FIXED_FIELDS_BYTES;
      for (const b of message.batches) {
        bytes += FIXED_FIELDS_BYTES + requestsBytesExpected(b.requests);
        bytes += b.certificate.signatures.length * (4 + SIGNATURE_BYTES);
      }
      return bytes;
    }
    default:
      return FIXED_FIELDS_BYTES;
  }
}
