// Every migration, in order. TypeORM runs the ones not yet recorded in schema_migrations.
import { InitialSchema1764115200000 } from './1764115200000-InitialSchema';
import { ExceptionsAndAudit1764201600000 } from './1764201600000-ExceptionsAndAudit';
import { EvidenceLedger1764288000000 } from './1764288000000-EvidenceLedger';
import { ConnectorState1764374400000 } from './1764374400000-ConnectorState';
import { HistoryRetention1764460800000 } from './1764460800000-HistoryRetention';
import { ApiKeyPrincipals1764547200000 } from './1764547200000-ApiKeyPrincipals';
import { PrincipalsInRecords1764590000000 } from './1764590000000-PrincipalsInRecords';
import { EncryptionKeyChecks1764633600000 } from './1764633600000-EncryptionKeyChecks';
import { ConnectionChanges1764720000000 } from './1764720000000-ConnectionChanges';
import { Attestations1764763200000 } from './1764763200000-Attestations';
import { PersonSessions1764849600000 } from './1764849600000-PersonSessions';
import { SessionScopes1764892800000 } from './1764892800000-SessionScopes';

export const ALL_MIGRATIONS = [
  InitialSchema1764115200000,
  ExceptionsAndAudit1764201600000,
  EvidenceLedger1764288000000,
  ConnectorState1764374400000,
  HistoryRetention1764460800000,
  ApiKeyPrincipals1764547200000,
  PrincipalsInRecords1764590000000,
  EncryptionKeyChecks1764633600000,
  ConnectionChanges1764720000000,
  Attestations1764763200000,
  PersonSessions1764849600000,
  SessionScopes1764892800000,
];
