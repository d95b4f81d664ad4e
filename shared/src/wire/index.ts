export * from './block.ts';
export * from './registry.ts';
export * from './submit.ts';
export * from './trace.ts';
export * from './transaction.ts';
