/**
 * Optional persistence to a SQLite file, so a restart keeps the sandbox's state. SQLite comes
 * from sql.js (WebAssembly: no native build on install); the database lives in memory and the
 * whole file is rewritten atomically after every change, which is fine at sandbox sizes.
 * Each record is one row (kind, id, JSON document); counters and the network sit in `meta`.
 */
import fs from 'node:fs';
import path from 'node:path';
import initSqlJs, { type Database } from 'sql.js';
import { emptyState, type State } from './state';

const RECORD_KINDS = {
  purchase_order: 'purchaseOrders',
  booking: 'bookings',
  booking_line_item: 'bookingLineItems',
  shipment: 'shipments',
  document: 'documents',
  event: 'events',
} as const satisfies Record<string, keyof State>;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, id INTEGER NOT NULL, document TEXT NOT NULL, PRIMARY KEY (kind, id)
  );`;

export class SqliteFile {
  private constructor(
    private readonly file: string,
    private readonly db: Database,
  ) {}

  static async open(file: string): Promise<SqliteFile> {
    const SQL = await initSqlJs();
    const db = fs.existsSync(file) ? new SQL.Database(fs.readFileSync(file)) : new SQL.Database();
    db.run(SCHEMA);
    return new SqliteFile(file, db);
  }

  /** The saved state, or an empty one for a new file. */
  load(): State {
    const state = emptyState();
    const meta = new Map(this.rows<[string, string]>('SELECT key, value FROM meta'));
    const sequences = meta.get('sequences');
    if (sequences) state.sequences = JSON.parse(sequences) as State['sequences'];
    const network = meta.get('network');
    if (network) state.network = JSON.parse(network) as State['network'];
    for (const [kind, key] of Object.entries(RECORD_KINDS)) {
      const documents = this.rows<[string]>('SELECT document FROM records WHERE kind = ? ORDER BY id', [
        kind,
      ]);
      (state[key] as unknown[]) = documents.map(([doc]) => JSON.parse(doc) as unknown);
    }
    return state;
  }

  save(state: State): void {
    this.db.run('BEGIN');
    this.db.run('DELETE FROM meta');
    this.db.run('DELETE FROM records');
    this.db.run('INSERT INTO meta VALUES (?, ?), (?, ?)', [
      'sequences',
      JSON.stringify(state.sequences),
      'network',
      JSON.stringify(state.network),
    ]);
    const insert = this.db.prepare('INSERT INTO records VALUES (?, ?, ?)');
    for (const [kind, key] of Object.entries(RECORD_KINDS)) {
      for (const record of state[key] as Array<{ id: number }>)
        insert.run([kind, record.id, JSON.stringify(record)]);
    }
    insert.free();
    this.db.run('COMMIT');
    const tmp = path.join(path.dirname(this.file), `.${path.basename(this.file)}.${process.pid}.tmp`);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(tmp, this.db.export());
    fs.renameSync(tmp, this.file);
  }

  close(): void {
    this.db.close();
  }

  private rows<T extends unknown[]>(sql: string, params: Array<string | number> = []): T[] {
    const statement = this.db.prepare(sql, params);
    const rows: T[] = [];
    while (statement.step()) rows.push(statement.get() as T);
    statement.free();
    return rows;
  }
}
