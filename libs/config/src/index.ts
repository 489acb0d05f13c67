export * from './tollgate-config';
