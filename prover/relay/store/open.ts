import { PostgresDriver } from './postgresDriver.js';
import { SqliteDriver } from './sqliteDriver.js';
import { SqlRelayStore } from './sqlStore.js';

/** True when `location` names a PostgreSQL database (`postgres://` or `postgresql://` URL). */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Opens the relay store at `location`: a `postgres://` URL (PostgreSQL, production) or a file path
 * (SQLite, the embedded default). Call `init(identity)` before use.
 */
export function openStore(location: string, opts: { now?: () => number } = {}): SqlRelayStore {
  const driver = isPostgresUrl(location) ? new PostgresDriver(location) : new SqliteDriver(location);
  return new SqlRelayStore(driver, opts.now);
}
