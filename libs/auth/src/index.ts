export * from './roles';
export * from './api-key.service';
export * from './api-key.guard';
export * from './audit-log';
export * from './session.service';
export * from './esm-import';
