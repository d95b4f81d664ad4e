import type { Clock, Ed25519KeyPair } from '@suyuan/shared';
import type { ReadModel } from './read-model.ts';
import type { ScanCounter } from './scans/scan-counter.ts';

/** What every web route needs, injected (clock, ledger read model, scan counts, settings). */
export interface WebDeps {
  model: ReadModel;
  clock: Clock;
  /** Scheme + host (+ path) this resolver is reached at; QR codes and link sets point here. */
  publicBase: string;
  scans: ScanCounter;
  /** Header a proxy sets with the scanner's coarse region (ISO 3166-2), e.g. `x-suyuan-region`. */
  regionHeader: string;
  /** The regulator's signing key for holds; null disables holds (read-only deployment). */
  regulatorKey: Ed25519KeyPair | null;
}
