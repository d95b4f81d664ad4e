export * from './grouped-certificate.ts';
export * from './hashing.ts';
export * from './verify-proof.ts';
export * from './verify-trace.ts';
