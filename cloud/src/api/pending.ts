/**
 * Submissions this API node accepted and handed to ordering but has not yet seen executed: what
 * makes a repeated POST idempotent (same body → still pending; other body → 409) before the ledger
 * knows about it. Bounded: past `trackedMax` the oldest are forgotten (the ledger remains the
 * authority; a forgotten one only loses the early 409).
 */
export class PendingSubmissions {
  private readonly tracked = new Map<string, string>();
  private readonly trackedMax: number;

  constructor(trackedMax: number) {
    this.trackedMax = trackedMax;
  }

  bodyHash(submitter: string, seq: number): string | undefined {
    return this.tracked.get(`${submitter}#${seq}`);
  }

  add(submitter: string, seq: number, bodyHash: string): void {
    if (this.tracked.size >= this.trackedMax) this.tracked.delete(this.tracked.keys().next().value!);
    this.tracked.set(`${submitter}#${seq}`, bodyHash);
  }

  delete(submitter: string, seq: number): void {
    this.tracked.delete(`${submitter}#${seq}`);
  }
}
