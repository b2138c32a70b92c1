/** The store room's door: the Store seam and its embedded SQLite implementation. */
export type { KeyValue, ListOptions, ListResult, Store, Watch, WatchEvent, WatchOptions } from './types.js';
export type { SqliteStore, SqliteStoreOptions } from './sqlite.js';
export { openSqliteStore } from './sqlite.js';
