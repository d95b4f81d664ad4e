export * from './hashing.ts';
