export * from './posture-document';
export * from './errors';
export * from './connector';
export * from './http-client';
export * from './pagination';
export * from './endpoints';
export * from './collect-helpers';
export * from './address-policy';
