/**
 * A grow-only byte buffer reused for every sealed reading batch. On this kind of machine a fresh
 * 4 KiB page costs ~8–20 µs of CPU at first touch, and a ~1 MB string or Buffer made per batch
 * gets fresh pages every time (V8's large-object space, glibc's mmap): building the body into
 * memory that was touched before costs a copy instead (a 1 MB body: ~5 ms as a fresh string,
 * ~0.1 ms here). What it returns is a view that the next `begin` overwrites, so a caller hands it
 * on (SQLite copies a bound value) before sealing the next batch.
 */
export class BodyScratch {
  private buffer: Buffer;
  private length = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** Starts a new body (the previous view's bytes become garbage). */
  begin(): void {
    this.length = 0;
  }

  /** Appends `text` as UTF-8 (as `Buffer.from(text)` would encode it). */
  write(text: string): void {
    // A UTF-16 code unit is at most 3 UTF-8 bytes, so this much room is always enough.
    this.reserve(text.length * 3);
    this.length += this.buffer.write(text, this.length);
  }

  /** Appends one ASCII byte (`,`). */
  writeByte(byte: number): void {
    this.reserve(1);
    this.buffer[this.length++] = byte;
  }

  /** The bytes written since `begin`: a view into the scratch, valid until the next `begin`. */
  view(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  /** Bytes the scratch holds now (tests; it only grows). */
  get capacity(): number {
    return this.buffer.length;
  }

  private reserve(bytes: number): void {
    const needed = this.length + bytes;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafeSlow(size);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}
