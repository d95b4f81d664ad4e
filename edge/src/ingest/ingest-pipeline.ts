import { type Clock, type Ed25519KeyPair, type JsonValue, LimitError, type Reading } from '@suyuan/shared';
import type { Db } from '../gateway/database.ts';
import { BodyScratch } from '../outbox/body-scratch.ts';
import type { OutboxStore } from '../outbox/outbox-store.ts';
import { encodeReadingBatches, sealReadingBatchInto } from '../outbox/seal.ts';
import { deviceMessageSchema, payloadText } from './device-message.ts';
import { type IngestJob, jobBytes } from './ingest-jobs.ts';
import type { IngestLimits } from './ingest-limits.ts';
import type {
  DeviceMessageInput,
  GatewayReadingInput,
  IngestResult,
  IngestSink,
  TagReadInput,
} from './ingest-source.ts';
import type { IngestStore } from './ingest-store.ts';
import { type Normalised, normaliseReading, type QuarantineReason } from './normalise.ts';
import type { SeenTop } from './seen-ranges.ts';
import { type DeviceSeqState, decideSeq } from './sequence-tracker.ts';
import { sealTagEvents, type TagEventRules, tagEventPayload, tagObserveEvent } from './tag-events.ts';

/**
 * Durable ingest. Inputs wait in memory only until the next turn of the event loop; then one SQLite
 * transaction validates them, deduplicates, quarantines what is bad, signs the accepted readings as
 * reading batches (one signature per batch) and appends them to the outbox. Only after that commit
 * does each input's promise resolve, and only then does the broker send the device its PUBACK.
 * Under load a turn collects many messages, so one fsync and a few signatures cover thousands.
 * Tag reads from readers with a read point also become EPCIS OBSERVE events, signed and queued in
 * the same transaction as their `tag_read` rows (ingest/tag-events.ts).
 */

interface DeviceWork {
  state: DeviceSeqState;
  /** The device's top duplicate-check range, moved on in memory and saved once per flush. */
  seenTop: SeenTop | null;
  counters: { duplicates: number; accepted: number; quarantined: number };
}

export class IngestPipeline implements IngestSink {
  private readonly db: Db;
  private readonly store: IngestStore;
  private readonly outbox: OutboxStore;
  private readonly key: Ed25519KeyPair;
  private readonly clock: Clock;
  private readonly limits: IngestLimits;
  private readonly messageSchema;
  private readonly tagRules: TagEventRules;
  private pending: IngestJob[] = [];
  /** Where each reading batch's body is built (grow-only, reused: body-scratch.ts). */
  private readonly bodyScratch = new BodyScratch();
  /** Payload bytes in `pending` (estimated for gateway readings and tag reads). */
  private pendingBytes = 0;
  private scheduled = false;
  /** Readings refused under the outbox full policy (not acknowledged, so the device retries). */
  refusedMessages = 0;
  flushes = 0;
  /**
   * Called after each flush that committed: the gateway wakes its uploader with it, so a new
   * submission is sent at once instead of at the uploader's next idle poll (up to 100 ms later).
   */
  afterFlush: (() => void) | null = null;

  constructor(
    db: Db,
    store: IngestStore,
    outbox: OutboxStore,
    key: Ed25519KeyPair,
    clock: Clock,
    limits: IngestLimits,
    tagRules: TagEventRules = new Map(),
  ) {
    this.tagRules = tagRules;
    this.db = db;
    this.store = store;
    this.outbox = outbox;
    this.key = key;
    this.clock = clock;
    this.limits = limits;
    this.messageSchema = deviceMessageSchema(limits.readingsPerMessageMax);
  }

  deviceMessage(input: DeviceMessageInput): Promise<IngestResult> {
    return new Promise((resolve, reject) =>
      this.enqueue({ kind: 'message', input, done: { resolve, reject } }),
    );
  }

  gatewayReadings(deviceId: string, readings: readonly GatewayReadingInput[]): Promise<IngestResult> {
    return new Promise((resolve, reject) =>
      this.enqueue({ kind: 'gateway', deviceId, readings, done: { resolve, reject } }),
    );
  }

  tagRead(input: TagReadInput): Promise<void> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'tag', input, done: { resolve, reject } }));
  }

  private enqueue(job: IngestJob): void {
    this.pending.push(job);
    this.pendingBytes += jobBytes(job);
    if (
      this.pending.length >= this.limits.flushMessagesMax ||
      this.pendingBytes >= this.limits.flushPayloadBytesMax
    ) {
      this.flush();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Commits everything pending in one transaction, then settles each input. */
  flush(): void {
    this.scheduled = false;
    const jobs = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (jobs.length === 0) return;
    const admitted = this.admit(jobs);
    const now = this.clock.now();
    const results: (IngestResult | undefined)[] = [];
    try {
      this.db.transaction(() => {
        const devices = new Map<string, DeviceWork>();
        const accepted: Reading[] = [];
        const events: JsonValue[] = [];
        for (const job of admitted) results.push(this.process(job, devices, accepted, events, now));
        for (const [id, work] of devices) {
          this.store.putSeqState(id, work.state, work.counters, now);
          this.store.seen.save(id, work.seenTop, now);
        }
        this.seal(accepted, now);
        sealTagEvents(this.outbox, this.key, events, now);
      })();
    } catch (error) {
      this.outbox.recount();
      for (const job of admitted) job.done.reject(error);
      return;
    }
    this.flushes++;
    admitted.forEach((job, i) => {
      if (job.kind === 'tag') job.done.resolve();
      else job.done.resolve(results[i]!);
    });
    this.afterFlush?.();
  }

  /** Applies the full policy: readings that would not fit are refused before anything is written. */
  private admit(jobs: IngestJob[]): IngestJob[] {
    let bytes = 0;
    const admitted: IngestJob[] = [];
    let refused = 0;
    for (const job of jobs) {
      if (job.kind === 'tag') {
        admitted.push(job);
        continue;
      }
      const size = job.kind === 'message' ? job.input.payload.length * 2 : jobBytes(job);
      if (this.outbox.hasRoomFor(bytes + size, false)) {
        bytes += size;
        admitted.push(job);
      } else {
        refused++;
        job.done.reject(new LimitError('pendingBytesMax', this.outbox.limits.pendingBytesMax, bytes + size));
      }
    }
    if (refused > 0) {
      this.refusedMessages += refused;
      this.outbox.countRefused(refused);
    }
    return admitted;
  }

  private process(
    job: IngestJob,
    devices: Map<string, DeviceWork>,
    accepted: Reading[],
    events: JsonValue[],
    now: number,
  ): IngestResult | undefined {
    switch (job.kind) {
      case 'tag': {
        const { readerId, epc, timeMs, rssi, antenna } = job.input;
        this.store.recordTagRead(readerId, epc, timeMs, rssi, antenna);
        const event = tagObserveEvent(job.input, this.tagRules);
        if (event) events.push(tagEventPayload(event));
        return undefined;
      }
      case 'message':
        return this.processMessage(job.input, devices, accepted, now);
      case 'gateway':
        return this.processGatewayReadings(job.deviceId, job.readings, devices, accepted, now);
    }
  }

  private work(devices: Map<string, DeviceWork>, deviceId: string): DeviceWork {
    let work = devices.get(deviceId);
    if (!work) {
      work = {
        state: this.store.seqState(deviceId),
        seenTop: this.store.seen.top(deviceId),
        counters: { duplicates: 0, accepted: 0, quarantined: 0 },
      };
      devices.set(deviceId, work);
    }
    return work;
  }

  private processMessage(
    input: DeviceMessageInput,
    devices: Map<string, DeviceWork>,
    accepted: Reading[],
    now: number,
  ): IngestResult {
    const result: IngestResult = { accepted: 0, duplicates: 0, quarantined: 0 };
    const text = payloadText(input.payload);
    const work = this.work(devices, input.deviceId);
    const bad = (reason: QuarantineReason, detail: string, payload: string) => {
      this.quarantine(input.deviceId, input.source, reason, detail, payload, now);
      work.counters.quarantined++;
      result.quarantined++;
    };
    if (text.length > this.limits.messageBytesMax) {
      bad('payload.tooLarge', `${text.length} bytes > messageBytesMax ${this.limits.messageBytesMax}`, text);
      return result;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      bad('payload.notJson', 'payload is not JSON', text);
      return result;
    }
    const parsed = this.messageSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      bad('payload.shape', `${issue?.path.join('.') || '(root)'}: ${issue?.message}`, text);
      return result;
    }
    for (const raw of parsed.data.readings) {
      const verdict = normaliseReading(input.deviceId, raw, now, this.limits);
      if (!verdict.ok) bad(verdict.reason, verdict.detail, JSON.stringify(raw));
      else this.acceptReading(verdict, parsed.data.boot, work, result, accepted, now);
    }
    return result;
  }

  private processGatewayReadings(
    deviceId: string,
    readings: readonly GatewayReadingInput[],
    devices: Map<string, DeviceWork>,
    accepted: Reading[],
    now: number,
  ): IngestResult {
    const result: IngestResult = { accepted: 0, duplicates: 0, quarantined: 0 };
    const work = this.work(devices, deviceId);
    for (const r of readings) {
      const raw = { ...r, seq: work.state.highSeq + 1 };
      const verdict = normaliseReading(deviceId, raw, now, this.limits);
      if (!verdict.ok) {
        this.quarantine(deviceId, 'serial', verdict.reason, verdict.detail, JSON.stringify(r), now);
        work.counters.quarantined++;
        result.quarantined++;
      } else {
        this.acceptReading(verdict, work.state.epoch, work, result, accepted, now);
      }
    }
    return result;
  }

  private acceptReading(
    verdict: Extract<Normalised, { ok: true }>,
    boot: number | undefined,
    work: DeviceWork,
    result: IngestResult,
    accepted: Reading[],
    now: number,
  ): void {
    const deviceId = verdict.reading.deviceId;
    const decision = decideSeq(work.state, boot, verdict.deviceSeq, verdict.reading.time);
    if (!this.store.seen.mark(deviceId, work, decision.ledgerSeq, now)) {
      work.counters.duplicates++;
      result.duplicates++;
      return;
    }
    work.state = decision.state;
    if (decision.gap) this.store.recordGap(deviceId, decision.gap.after, decision.gap.next, now);
    work.counters.accepted++;
    result.accepted++;
    // Written out rather than spread: a literal of a fixed shape is several times cheaper per reading.
    const r = verdict.reading;
    accepted.push({
      deviceId,
      seq: decision.ledgerSeq,
      time: r.time,
      type: r.type,
      value: r.value,
      uom: r.uom,
    });
  }

  private quarantine(
    deviceId: string | null,
    source: string,
    reason: QuarantineReason,
    detail: string,
    payload: string,
    now: number,
  ): void {
    const kept = payload.slice(0, this.limits.quarantinePayloadBytesMax);
    this.store.quarantine({ receivedMs: now, deviceId, source, reason, detail, payload: kept });
  }

  /**
   * Seals the accepted readings as reading batches, each written into the reused scratch and
   * appended (SQLite copies it) before the next one overwrites it.
   */
  private seal(readings: Reading[], now: number): void {
    if (readings.length === 0) return;
    for (const batch of encodeReadingBatches(readings, this.limits.readingsPerSubmissionMax)) {
      const seq = this.outbox.allocateSeq();
      const { body, header } = sealReadingBatchInto(this.key, seq, now, batch, this.bodyScratch);
      this.outbox.append([
        {
          seq,
          kind: 'readings',
          body,
          header: JSON.stringify(header),
          payloadCount: batch.texts.length,
          critical: false,
        },
      ]);
    }
  }
}
