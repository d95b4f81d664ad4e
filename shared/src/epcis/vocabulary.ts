/**
 * CBV 2.0 and GS1 Web Vocabulary terms used in EPCIS events, with every accepted spelling normalised to
 * the bare word the EPCIS 2.0 JSON schema expects (`shipping`, `in_transit`, `Temperature`):
 *   shipping | urn:epcglobal:cbv:bizstep:shipping | https://ref.gs1.org/cbv/BizStep-shipping | cbv:BizStep-shipping
 * Any other absolute URI outside the GS1 namespaces is a user extension and is kept as is (that is how
 * our farm bizStepVocabulary travel, see farm-vocabulary.ts). A bare word that is not in the list is an error.
 */

export interface Vocabulary {
  name: string;
  words: readonly string[];
  /** Spellings that map to a bare word when followed by it. */
  prefixes: readonly string[];
  /** Namespaces where only the listed words exist: anything else there is a typo, not an extension. */
  reserved: readonly RegExp[];
}

const CBV_RESERVED = [/^urn:epcglobal:cbv:/i, /^https?:\/\/(ns|ref)\.gs1\.org\/cbv\//i, /^cbv:/];
const GS1_VOC_RESERVED = [/^https?:\/\/(www\.)?gs1\.org\/voc\//i, /^gs1:/];

function cbv(name: string, urnPart: string, webPart: string, words: readonly string[]): Vocabulary {
  return {
    name,
    words,
    prefixes: [
      `urn:epcglobal:cbv:${urnPart}:`,
      `https://ref.gs1.org/cbv/${webPart}-`,
      `http://ref.gs1.org/cbv/${webPart}-`,
      `cbv:${webPart}-`,
    ],
    reserved: CBV_RESERVED,
  };
}

function gs1Voc(name: string, words: readonly string[]): Vocabulary {
  return {
    name,
    words,
    prefixes: ['https://gs1.org/voc/', 'http://gs1.org/voc/', 'https://www.gs1.org/voc/', 'gs1:'],
    reserved: GS1_VOC_RESERVED,
  };
}

// biome-ignore format: a word list reads best packed
export const bizStepVocabulary = cbv('bizStep', 'bizstep', 'BizStep', [
  'accepting', 'arriving', 'assembling', 'collecting', 'commissioning', 'consigning',
  'creating_class_instance', 'cycle_counting', 'decommissioning', 'departing', 'destroying',
  'disassembling', 'dispensing', 'encoding', 'entering_exiting', 'holding', 'inspecting', 'installing',
  'killing', 'loading', 'other', 'packing', 'picking', 'receiving', 'removing', 'repackaging', 'repairing',
  'replacing', 'reserving', 'retail_selling', 'shipping', 'staging_outbound', 'stock_taking', 'stocking',
  'storing', 'transporting', 'unloading', 'unpacking', 'void_shipping', 'sensor_reporting', 'sampling',
]);

// biome-ignore format: a word list reads best packed
export const dispositionVocabulary = cbv('disposition', 'disp', 'Disp', [
  'active', 'container_closed', 'damaged', 'destroyed', 'dispensed', 'disposed', 'encoded', 'expired',
  'in_progress', 'in_transit', 'inactive', 'no_pedigree_match', 'non_sellable_other', 'partially_dispensed',
  'recalled', 'reserved', 'retail_sold', 'returned', 'sellable_accessible', 'sellable_not_accessible',
  'stolen', 'unknown', 'available', 'completeness_verified', 'completeness_inferred', 'conformant',
  'container_open', 'mismatch_instance', 'mismatch_class', 'mismatch_quantity', 'needs_replacement',
  'non_conformant', 'unavailable',
]);

// biome-ignore format: a word list reads best packed
export const bizTransactionTypeVocabulary = cbv('bizTransaction type', 'btt', 'BTT', [
  'bol', 'cert', 'desadv', 'inv', 'pedigree', 'po', 'poc', 'prodorder', 'recadv', 'rma', 'testprd',
  'testres', 'upevt',
]);

// biome-ignore format: a word list reads best packed
export const sourceDestTypeVocabulary = cbv('source/destination type', 'sdt', 'SDT', [
  'owning_party', 'possessing_party', 'location',
]);

// biome-ignore format: a word list reads best packed
export const errorReasonVocabulary = cbv('error reason', 'er', 'ER', ['did_not_occur', 'incorrect_data']);

// biome-ignore format: a word list reads best packed
export const componentVocabulary = cbv('component', 'comp', 'Comp', [
  'x', 'y', 'z', 'axial_distance', 'azimuth', 'height', 'spherical_radius', 'polar_angle',
  'elevation_angle', 'easting', 'northing', 'latitude', 'longitude', 'altitude',
]);

// biome-ignore format: a word list reads best packed
export const measurementTypeVocabulary = gs1Voc('sensor measurement type', [
  'AbsoluteHumidity', 'AbsorbedDose', 'AbsorbedDoseRate', 'Acceleration', 'Radioactivity', 'Altitude',
  'AmountOfSubstance', 'AmountOfSubstancePerUnitVolume', 'Angle', 'AngularAcceleration', 'AngularMomentum',
  'AngularVelocity', 'Area', 'Capacitance', 'Conductance', 'Conductivity', 'Count', 'Density',
  'Dimensionless', 'DoseEquivalent', 'DoseEquivalentRate', 'DynamicViscosity', 'ElectricCharge',
  'ElectricCurrent', 'ElectricCurrentDensity', 'ElectricFieldStrength', 'Energy', 'Exposure', 'Force',
  'Frequency', 'Illuminance', 'Inductance', 'Irradiance', 'KinematicViscosity', 'Length', 'LinearMomentum',
  'Luminance', 'LuminousFlux', 'LuminousIntensity', 'MagneticFlux', 'MagneticFluxDensity',
  'MagneticVectorPotential', 'Mass', 'MassConcentration', 'MassFlowRate', 'MassPerAreaTime',
  'MemoryCapacity', 'MolalityOfSolute', 'MolarEnergy', 'MolarMass', 'MolarVolume', 'Power', 'Pressure',
  'RadiantFlux', 'RadiantIntensity', 'RelativeHumidity', 'Resistance', 'Resistivity', 'SolidAngle',
  'SpecificVolume', 'Speed', 'SurfaceDensity', 'SurfaceTension', 'Temperature', 'Time', 'Torque', 'Voltage',
  'Volume', 'VolumeFlowRate', 'VolumeFraction', 'VolumetricFlux', 'Wavenumber',
]);

// biome-ignore format: a word list reads best packed
export const sensorAlertTypeVocabulary = gs1Voc('sensor alert type', ['ALARM_CONDITION', 'ERROR_CONDITION']);

/** Result of normalising: the term, or why it is not one. */
export type NormalisedTerm = { ok: true; term: string } | { ok: false; reason: string };

const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;

/** Normalise one term of `vocabulary`; see the module comment for the accepted spellings. */
export function normaliseTerm(vocabulary: Vocabulary, value: string): NormalisedTerm {
  if (vocabulary.words.includes(value)) return { ok: true, term: value };
  for (const prefix of vocabulary.prefixes) {
    if (value.toLowerCase().startsWith(prefix.toLowerCase())) {
      const word = value.slice(prefix.length);
      if (vocabulary.words.includes(word)) return { ok: true, term: word };
      return { ok: false, reason: `${JSON.stringify(value)} is not a standard ${vocabulary.name}` };
    }
  }
  if (vocabulary.reserved.some((r) => r.test(value))) {
    return {
      ok: false,
      reason: `${JSON.stringify(value)} is in a GS1 namespace but is not a standard ${vocabulary.name}`,
    };
  }
  if (ABSOLUTE_URI.test(value)) return { ok: true, term: value };
  return {
    ok: false,
    reason: `${JSON.stringify(value)} is not a standard ${vocabulary.name}; extensions must be full URIs`,
  };
}
