import { isSuyuanError } from '../errors.ts';

/**
 * Test support: the error code `fn` throws, 'no error' when it returns, or a marker naming a foreign
 * error, so a test can assert the exact typed failure in one `expect`.
 */
export function errorCodeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return isSuyuanError(error) ? error.code : `foreign error: ${String(error)}`;
  }
  return 'no error';
}
