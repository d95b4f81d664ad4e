/**
 * Outbox bodies the uploader read for a POST, kept until the submission's receipt is checked
 * against them (a compact receipt is checked with the gateway's own payload bytes): a ~1 MB body
 * read out of SQLite's WAL costs a page lookup and a read per 4 KiB page, and it was read twice.
 * Bounded by `bytesMax`; the oldest go first, and a body not here is read from the table again.
 */
export class BodyCache {
  private readonly bodies = new Map<number, Uint8Array>();
  private readonly bytesMax: number;
  private bytes = 0;

  constructor(bytesMax: number) {
    this.bytesMax = bytesMax;
  }

  /** The body of `seq`, from here or from `load` (then kept, if it fits). */
  get(seq: number, load: () => Uint8Array | undefined): Uint8Array | undefined {
    const kept = this.bodies.get(seq);
    if (kept !== undefined) return kept;
    const body = load();
    if (body === undefined || body.length > this.bytesMax) return body;
    while (this.bytes + body.length > this.bytesMax) {
      const [oldest, dropped] = this.bodies.entries().next().value!;
      this.bodies.delete(oldest);
      this.bytes -= dropped.length;
    }
    this.bodies.set(seq, body);
    this.bytes += body.length;
    return body;
  }

  /** The submission is done (committed or dead): its body is not needed again. */
  delete(seq: number): void {
    const body = this.bodies.get(seq);
    if (body === undefined) return;
    this.bodies.delete(seq);
    this.bytes -= body.length;
  }

  get size(): number {
    return this.bodies.size;
  }
}
