/**
 * Optional persistence to a SQLite file, so a restart keeps the sandbox's state. Each record is
 * one row (kind, id, JSON document); counters and the network sit in `meta`. A change writes only
 * the rows it touched, in one transaction, to a WAL-mode database (better-sqlite3): its cost is
 * the size of the change, not of everything the sandbox holds. The state itself stays in memory.
 * The Flxpoint emulator keeps its POs in the same file, under a kind and meta key of its own.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { Network } from './network';
import { emptyState, type RecordKind, type State } from './state';

const RECORD_KINDS = {
  purchase_order: 'purchaseOrders',
  booking: 'bookings',
  booking_line_item: 'bookingLineItems',
  shipment: 'shipments',
  document: 'documents',
  event: 'events',
} as const satisfies Record<RecordKind, keyof State>;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, id INTEGER NOT NULL, document TEXT NOT NULL, PRIMARY KEY (kind, id)
  );`;

interface ChangedRecord {
  /** A `RecordKind`, or another emulator's own kind (prefixed with its name, e.g. `flxpoint_`). */
  kind: string;
  record: { id: number };
}

export class SqliteFile {
  /** Records changed since the last save, by kind and id: a record changed twice is written once. */
  private readonly changed = new Map<string, ChangedRecord>();
  /** Meta values set since the last save (another emulator's counters), by key. */
  private readonly changedValues = new Map<string, unknown>();
  private savedNetworkRevision = -1;
  private readonly writeRecord: Database.Statement<[string, number, string]>;
  private readonly writeMeta: Database.Statement<[string, string]>;

  private constructor(private readonly db: Database.Database) {
    this.writeRecord = db.prepare('INSERT OR REPLACE INTO records (kind, id, document) VALUES (?, ?, ?)');
    this.writeMeta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
  }

  static open(file: string): SqliteFile {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    // WAL: a commit appends the changed pages instead of rewriting the file. NORMAL syncs at
    // checkpoints only: a change survives the process dying, as the sandbox needs; not a power cut.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    return new SqliteFile(db);
  }

  /** The saved state, or an empty one for a new file. */
  load(): State {
    const state = emptyState();
    const meta = new Map(
      this.db
        .prepare<[], { key: string; value: string }>('SELECT key, value FROM meta')
        .all()
        .map((row) => [row.key, row.value]),
    );
    const sequences = meta.get('sequences');
    if (sequences) state.sequences = JSON.parse(sequences) as State['sequences'];
    const network = meta.get('network');
    if (network) state.network = JSON.parse(network) as State['network'];
    const documents = this.db.prepare<[string], { document: string }>(
      'SELECT document FROM records WHERE kind = ? ORDER BY id',
    );
    for (const [kind, key] of Object.entries(RECORD_KINDS)) {
      (state[key] as unknown[]) = documents.all(kind).map((row) => JSON.parse(row.document) as unknown);
    }
    return state;
  }

  /** Another emulator's saved records of one kind, by id. */
  loadRecords<T>(kind: string): T[] {
    return this.db
      .prepare<[string], { document: string }>('SELECT document FROM records WHERE kind = ? ORDER BY id')
      .all(kind)
      .map((row) => JSON.parse(row.document) as T);
  }

  /** Another emulator's saved meta value, undefined for a new file. */
  loadValue<T>(key: string): T | undefined {
    const row = this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key);
    return row && (JSON.parse(row.value) as T);
  }

  /** Marks a record to be written by the next `save`; another emulator passes a kind of its own. */
  recordChanged(kind: RecordKind | (string & {}), record: { id: number }): void {
    this.changed.set(`${kind}:${record.id}`, { kind, record });
  }

  /** Marks a meta value to be written by the next `save`; it is serialised then. */
  valueChanged(key: string, value: unknown): void {
    this.changedValues.set(key, value);
  }

  /**
   * Writes the changed records (the Flxpoint emulator's too), the counters, and the network when it
   * grew, in one transaction.
   */
  save(state: State, network: Network): void {
    const changed = [...this.changed.values()];
    const networkChanged = network.revision !== this.savedNetworkRevision;
    if (changed.length === 0 && !networkChanged && this.changedValues.size === 0) return;
    this.db.transaction(() => {
      for (const { kind, record } of changed) this.writeRecord.run(kind, record.id, JSON.stringify(record));
      for (const [key, value] of this.changedValues) this.writeMeta.run(key, JSON.stringify(value));
      this.writeMeta.run('sequences', JSON.stringify(state.sequences));
      if (networkChanged) this.writeMeta.run('network', JSON.stringify(network.snapshot()));
    })();
    this.changed.clear();
    this.changedValues.clear();
    this.savedNetworkRevision = network.revision;
  }

  close(): void {
    this.db.close();
  }
}
