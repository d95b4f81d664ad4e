import { toHex } from '@suyuan/shared';

/** EPCs and tag data are printed in upper case, as the Tag Data Standard and the reader manuals do. */
export function hexUpper(bytes: Uint8Array): string {
  return toHex(bytes).toUpperCase();
}
