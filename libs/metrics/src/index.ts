export * from './metrics';
export * from './readings-cache';
export * from './evidence-chain.probe';
