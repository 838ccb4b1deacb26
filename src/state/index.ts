/** The state layer: store (SQLite and in-memory), run lock, audit log, default paths. */
export type * from './store.js';
export { DEFERRED_KINDS, RUN_STATUSES } from './store.js';
export { deferredKind } from './pending.js';
export * from './errors.js';
export { openSqliteStore } from './sqlite-store.js';
export type { SqliteStateStore, SqliteStoreOptions } from './sqlite-store.js';
export { openMemoryStore } from './memory-store.js';
export { acquireRunLock, lockPathFor, isPidAlive, DEFAULT_STALE_AFTER_MS } from './lock.js';
export type { RunLock, RunLockOptions, LockLogger, TakeOverReason } from './lock.js';
export { openAuditLog, formatAuditLine, AUDIT_RESULTS } from './audit.js';
export type { AuditEvent, AuditLog, AuditLogOptions, AuditResult } from './audit.js';
export { defaultStateDir, defaultStatePath, defaultAuditPath } from './paths.js';
export type { PathContext } from './paths.js';
export { normaliseGuid, directoryKey } from './keys.js';
export { cloudPhashFor } from './user-record.js';
export { newRunId, isRunId } from './run-id.js';
