// Every migration, in order. TypeORM runs the ones not yet recorded in schema_migrations.
import { InitialSchema1764115200000 } from './1764115200000-InitialSchema';

export const ALL_MIGRATIONS = [InitialSchema1764115200000];
