export * from './drift-recorder';
export * from './drift-query';
