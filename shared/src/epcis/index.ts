export * from './document.ts';
export * from './events.ts';
export * from './farm-vocabulary.ts';
// fields.ts holds zod building blocks with short names (uri, list, term...); only these are public.
export { epcisLimits, isDateTime, isUri } from './fields.ts';
export * from './schema-validate.ts';
export * from './vocabulary.ts';
