/**
 * Typed errors with stable codes. Bad input from outside (network, serial, files, flags) raises
 * `InputError` (or a subclass) carrying a machine-readable code; our own broken invariants raise
 * `AssertionError` through `assert`, which is a bug report, never a user-facing message.
 */

/** Stable codes: callers and HTTP layers branch on these, so never rename one. */
export type ErrorCode =
  | 'canonical.nonFinite'
  | 'canonical.loneSurrogate'
  | 'canonical.unsupportedType'
  | 'canonical.cycle'
  | 'canonical.tooDeep'
  | 'crypto.badKey'
  | 'crypto.badSignature'
  | 'merkle.badProof'
  | 'gs1.badCheckDigit'
  | 'gs1.badSyntax'
  | 'gs1.badOrder'
  | 'gs1.badLength'
  | 'gs1.badCharacter'
  | 'epc.badHex'
  | 'epc.outOfRange'
  | 'epcis.invalid'
  | 'reading.invalid'
  | 'envelope.invalid'
  | 'limit.exceeded'
  | 'config.invalid'
  | (string & {});

export class SuyuanError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** Something that came from outside is wrong; the message says what and where. */
export class InputError extends SuyuanError {}

/** A named limit was exceeded (queue length, body size, batch size...). */
export class LimitError extends SuyuanError {
  constructor(limitName: string, limit: number, actual: number) {
    super('limit.exceeded', `${limitName} is ${limit}, got ${actual}`, { limitName, limit, actual });
  }
}

/** One of our own invariants does not hold: a bug in this program, not bad input. */
export class AssertionError extends Error {
  constructor(message: string) {
    super(`assertion failed: ${message}`);
    this.name = 'AssertionError';
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function isSuyuanError(value: unknown, code?: ErrorCode): value is SuyuanError {
  return value instanceof SuyuanError && (code === undefined || value.code === code);
}
