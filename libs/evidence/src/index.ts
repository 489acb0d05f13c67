export * from './evidence-ledger';
export * from './evidence-verifier';
export * from './checkpoint-signer';
export * from './evidence-store';
