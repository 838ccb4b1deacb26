/**
 * A read-only look at a state file for `hps doctor`: whose file it is and its schema version. Never migrates,
 * never creates the file (openSqliteStore does both).
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { APPLICATION_ID, LATEST_VERSION, currentVersion, hasForeignTables } from './sqlite-schema.js';

export type StateFileInspection =
  | { kind: 'absent'; latest: number }
  | { kind: 'ours'; version: number; latest: number }
  | { kind: 'foreign' }
  | { kind: 'unreadable'; message: string };

export function inspectStateFile(path: string): StateFileInspection {
  if (!existsSync(path)) return { kind: 'absent', latest: LATEST_VERSION };
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 2000 });
    const appId = db.pragma('application_id', { simple: true }) as number;
    if ((appId !== 0 && appId !== APPLICATION_ID) || (appId === 0 && hasForeignTables(db))) return { kind: 'foreign' };
    return { kind: 'ours', version: currentVersion(db), latest: LATEST_VERSION };
  } catch (err) {
    return { kind: 'unreadable', message: (err as Error).message };
  } finally {
    db?.close();
  }
}
