/**
 * Suyuan's own vocabulary for farm work that CBV 2.0 has no word for. Terms are full URIs under our
 * namespace (CBV requires extensions to be URIs); extension fields on events use the compact form
 * `suyuan:<name>`, and every EPCIS document we build maps the `suyuan` prefix in its @context.
 */

export const suyuanNamespace = 'https://suyuan.example/voc/';
export const suyuanPrefix = 'suyuan';

export const farmBizSteps = {
  /** Seeds or seedlings go into a field (readPoint/bizLocation: the field's SGLN). */
  planting: `${suyuanNamespace}bizstep/planting`,
  /** Fertiliser applied to a field or crop lot. */
  fertilising: `${suyuanNamespace}bizstep/fertilising`,
  /** Pesticide applied; the event must carry `suyuan:preHarvestIntervalDays`. */
  spraying: `${suyuanNamespace}bizstep/spraying`,
  irrigating: `${suyuanNamespace}bizstep/irrigating`,
  /** Crop taken from the field; usually commissions the harvest lot (LGTIN). */
  harvesting: `${suyuanNamespace}bizstep/harvesting`,
} as const;

export type FarmBizStep = (typeof farmBizSteps)[keyof typeof farmBizSteps];

/** Extension field names, in the compact form used on events. */
export const farmFields = {
  /** Days after spraying before the crop may be harvested (a whole number, 0..365). */
  preHarvestIntervalDays: `${suyuanPrefix}:preHarvestIntervalDays`,
  /** Name of the product applied (pesticide, fertiliser), free text. */
  productName: `${suyuanPrefix}:productName`,
  /**
   * Carries a `persistentDisposition` found on an AggregationEvent, AssociationEvent or TransactionEvent:
   * early EPCIS 2.0 artefacts (and GS1's own example) allowed it there, the ratified standard and its
   * JSON schema do not. We keep it under our name so nothing is lost and exports stay schema-valid.
   */
  persistentDisposition: `${suyuanPrefix}:persistentDisposition`,
} as const;

/** Longest pre-harvest interval we accept: a year covers every label we know of. */
export const preHarvestIntervalDaysMax = 365;

/** The @context entry that maps our prefix, added to every document we build. */
export const suyuanContext: Readonly<Record<string, string>> = { [suyuanPrefix]: suyuanNamespace };

export function isFarmBizStep(bizStep: string | undefined): bizStep is FarmBizStep {
  return bizStep !== undefined && (Object.values(farmBizSteps) as string[]).includes(bizStep);
}
