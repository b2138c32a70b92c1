/**
 * The store seam, shaped like etcd v3's model (and kine's): one global revision;
 * every write appends to a revision log; writes are guarded by the key's last
 * modification revision (compare-and-swap); watches read the log after a revision.
 *
 * Keys are strings like `/registry/pods/default/web-1`; values are opaque bytes
 * (the API server stores JSON). Implementations: ./sqlite (embedded default), later ./etcd.
 */

/** Values a Store hands out (and their buffers) may be shared with other callers: treat them as read-only. */
export interface KeyValue {
  key: string;
  value: Buffer;
  /** Revision of the write that created this key (etcd create_revision). */
  createRevision: number;
  /** Revision of the write that last modified this key (etcd mod_revision). */
  modRevision: number;
}

export interface WatchEvent {
  type: 'PUT' | 'DELETE';
  /** For PUT: the new value. For DELETE: the last value, with modRevision = the delete's revision. */
  kv: KeyValue;
  /** The value before this event, if any. */
  prevKv?: KeyValue;
  /** True when a PUT created the key. */
  created: boolean;
}

export interface ListOptions {
  /** Max items to return (0 / undefined = no limit). */
  limit?: number;
  /** Exclusive start key for continuation (return keys > this). */
  startAfter?: string;
  /** Read at this revision (0 / undefined = current). Older than compaction → GoneError; newer than current → BadRequestError. */
  revision?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** Number of keys after the returned ones (0 = complete). */
  remaining: number;
}

export interface WriteOptions {
  /**
   * The caller hands `value` over: the store may keep that very buffer (no copy), and the
   * caller never changes it afterwards. Without it the store keeps a copy of its own.
   */
  handOver?: boolean;
}

export interface WatchOptions {
  /** Deliver events with revision > afterRevision. Older than compaction → GoneError thrown synchronously. */
  afterRevision: number;
}

export interface Watch {
  /** Stops the watch; no callbacks after this returns. */
  cancel(): void;
}

/**
 * Ordering contract: a watcher receives every event on its prefix with revision >
 * afterRevision, in revision order, each exactly once, with no gaps.
 * `onEvents` is called with batches; `onError` (e.g. GoneError when the watcher fell
 * behind compaction) ends the watch.
 */
export interface Store {
  /** The current revision (the revision of the latest write). */
  currentRevision(): number;
  /** The oldest revision still readable (compaction point). */
  compactRevision(): number;
  get(key: string, revision?: number): Promise<KeyValue | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  count(prefix: string): Promise<number>;
  /** Creates the key if absent; throws AlreadyExistsError otherwise. Returns the new kv. */
  create(key: string, value: Buffer, opts?: WriteOptions): Promise<KeyValue>;
  /** Replaces the value if the key's modRevision == expectedRevision; ConflictError if stale, NotFoundError if absent. */
  update(key: string, value: Buffer, expectedRevision: number, opts?: WriteOptions): Promise<KeyValue>;
  /** Deletes the key if modRevision == expectedRevision (0 = unconditional). Returns the deleted kv (modRevision = delete revision). */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  watch(prefix: string, opts: WatchOptions, onEvents: (events: WatchEvent[]) => void, onError: (err: Error) => void): Watch;
  /** Drops history at or below `revision` (keeps the latest value of every live key). */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}
