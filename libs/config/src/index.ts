export * from './tollgate-config';
export * from './role-mapping';
