export * from './roles';
export * from './api-key.service';
export * from './api-key.guard';
export * from './audit-log';
