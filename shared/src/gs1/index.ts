export * from './ai-values.ts';
export * from './company-prefix.ts';
export * from './convert.ts';
export * from './digital-link.ts';
export * from './epc-uri.ts';
export * from './gtin.ts';
export * from './identifiers.ts';
export * from './sgtin96.ts';
