import { randomUUID } from 'node:crypto';
import type { AppliedOrderStore, ClaimResult, SeenEventStore } from './store.js';
import { checkId, checkMs, checkTimestamp } from './validate.js';

/**
 * Anything that runs a parameterised statement and answers `{ rows }`: a `pg` Pool, a Client, or a
 * client inside your own transaction. Other drivers fit with a small adapter.
 *
 * @example
 * ```ts
 * const db: PostgresQueryable = { query: async (text, values) => ({ rows: await sql.unsafe(text, values) }) };
 * ```
 */
export interface PostgresQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/**
 * Default table for seen events (its applied-order companion is `allthings_seen_events_applied`).
 *
 * @example
 * ```ts
 * await pool.query(`SELECT count(*) FROM ${DEFAULT_SEEN_EVENTS_TABLE}`);
 * ```
 */
export const DEFAULT_SEEN_EVENTS_TABLE = 'allthings_seen_events';

/**
 * Table names for {@link seenEventsDdl} and {@link PostgresSeenEventStore}.
 *
 * @example
 * ```ts
 * const tables: PostgresTableOptions = { table: 'billing.webhook_events' }; // + billing.webhook_events_applied
 * ```
 */
export interface PostgresTableOptions {
  /**
   * Seen-event table, `name` or `schema.name` (letters, digits, `_`; quoted, so used exactly as written).
   * Default `allthings_seen_events`.
   */
  table?: string;
  /** Table of the stale-update guard (AppliedOrderStore). Default: the seen-event table's name + `_applied`. */
  appliedTable?: string;
}

interface Tables {
  readonly events: string;
  readonly applied: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function parseName(name: unknown, option: string): string[] {
  const parts = typeof name === 'string' ? name.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new TypeError(
      `allthings-webhooks: ${option} must be a table name like 'webhook_events' or 'myschema.webhook_events' ` +
        '(letters, digits and _, at most 63 characters per part).',
    );
  }
  return parts;
}

function quote(parts: string[]): string {
  return parts.map((part) => `"${part}"`).join('.');
}

function resolveTables(options: PostgresTableOptions): Tables {
  const events = parseName(options.table ?? DEFAULT_SEEN_EVENTS_TABLE, 'table');
  const applied =
    options.appliedTable === undefined
      ? [...events.slice(0, -1), `${events[events.length - 1]}_applied`]
      : parseName(options.appliedTable, 'appliedTable');
  if (!IDENTIFIER.test(applied[applied.length - 1]!)) {
    throw new TypeError('allthings-webhooks: the table name is too long to derive appliedTable; set appliedTable.');
  }
  return { events: quote(events), applied: quote(applied) };
}

function ddlStatements(tables: Tables): string[] {
  // token NULL = done; token set = in flight. A missing or expired row is free.
  return [
    `CREATE TABLE IF NOT EXISTS ${tables.events} (
  event_id   text PRIMARY KEY,
  token      text,
  expires_at timestamptz NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS ${tables.applied} (
  resource_key text PRIMARY KEY,
  applied_ms   double precision NOT NULL,
  expires_at   timestamptz NOT NULL
)`,
  ];
}

/**
 * The SQL that creates the store's two tables (seen events, and the applied-order guard), for your
 * migrations. `CREATE TABLE IF NOT EXISTS`, so it can run repeatedly.
 *
 * @example
 * ```ts
 * fs.writeFileSync('migrations/0007_webhooks.sql', seenEventsDdl({ table: 'billing.webhook_events' }));
 * ```
 */
export function seenEventsDdl(options: PostgresTableOptions = {}): string {
  return ddlStatements(resolveTables(options)).join(';\n\n') + ';\n';
}

/**
 * Settings for {@link PostgresSeenEventStore}.
 *
 * @example
 * ```ts
 * new PostgresSeenEventStore(pool, { table: 'webhook_events', appliedTable: 'webhook_resource_versions' });
 * ```
 */
export type PostgresStoreOptions = PostgresTableOptions;

// Times come from the database (statement_timestamp(): the current statement's start, so it stays fresh
// inside a long transaction, unlike now()), so the callers' clocks never matter.
const MS = `::double precision * interval '1 millisecond'`;

/**
 * Seen-event store on PostgreSQL. Pass a `pg` Pool (or anything with `query(text, values)`); each operation
 * is one statement, so it is atomic on its own. Pass a client inside your own `BEGIN`..`COMMIT` to commit
 * the dedup row together with your business write. Also an {@link AppliedOrderStore}.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { PostgresSeenEventStore } from 'allthings-webhooks/postgres';
 * const store = new PostgresSeenEventStore(new pg.Pool({ connectionString: process.env.DATABASE_URL }));
 * await store.createTable(); // or run seenEventsDdl() in your migrations
 * await processOnce(store, event.id, () => handle(event));
 * ```
 */
export class PostgresSeenEventStore implements SeenEventStore, AppliedOrderStore {
  readonly #db: PostgresQueryable;
  readonly #tables: Tables;
  readonly #sql: ReturnType<typeof statements>;

  constructor(db: PostgresQueryable, options: PostgresStoreOptions = {}) {
    if (!db || typeof db.query !== 'function') {
      throw new TypeError(
        'allthings-webhooks: PostgresSeenEventStore needs a pg Pool or Client (anything with query(text, values)), ' +
          'e.g. `new PostgresSeenEventStore(new pg.Pool())`.',
      );
    }
    this.#db = db;
    this.#tables = resolveTables(options);
    this.#sql = statements(this.#tables);
  }

  /**
   * Creates the tables if they do not exist (opt-in; {@link seenEventsDdl} gives the same SQL for migrations).
   *
   * @example
   * ```ts
   * await store.createTable();
   * ```
   */
  async createTable(): Promise<void> {
    for (const statement of ddlStatements(this.#tables)) await this.#db.query(statement);
  }

  /**
   * Deletes expired rows (done ids past retention, abandoned leases, old applied-order entries) and answers
   * how many. Run it now and then (e.g. hourly); expired rows are already ignored, this only frees space.
   * `limit` bounds the rows deleted per table in one call.
   *
   * @example
   * ```ts
   * setInterval(() => store.purgeExpired({ limit: 10_000 }).catch(report), 3_600_000).unref();
   * ```
   */
  async purgeExpired(options: { limit?: number } = {}): Promise<number> {
    const limit = options.limit;
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
      throw new TypeError('allthings-webhooks: purgeExpired limit must be a whole number >= 1.');
    }
    let total = 0;
    for (const [table, key] of [
      [this.#tables.events, 'event_id'],
      [this.#tables.applied, 'resource_key'],
    ] as const) {
      const where = 'expires_at <= statement_timestamp()';
      const target =
        limit === undefined ? where : `${key} IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${limit})`;
      const { rows } = await this.#db.query(
        `WITH d AS (DELETE FROM ${table} WHERE ${target} RETURNING 1) SELECT count(*)::int AS n FROM d`,
      );
      total += Number(rows[0]?.n ?? 0);
    }
    return total;
  }

  async claim(eventId: string, leaseMs: number): Promise<ClaimResult> {
    const token = randomUUID();
    const values = [checkId(eventId, 'eventId'), token, checkMs(leaseMs, 'leaseMs')];
    const { rows } = await this.#db.query(this.#sql.claim, values);
    const row = rows[0];
    if (row === undefined) throw new Error('allthings-webhooks: the claim statement returned no row.');
    if (row.token === token) return { state: 'acquired', token };
    return row.token === null ? { state: 'done' } : { state: 'in_flight' };
  }

  async complete(eventId: string, token: string, retentionMs: number): Promise<boolean> {
    const values = [checkId(eventId, 'eventId'), token, checkMs(retentionMs, 'retentionMs')];
    return (await this.#db.query(this.#sql.complete, values)).rows.length === 1;
  }

  async release(eventId: string, token: string): Promise<boolean> {
    return (await this.#db.query(this.#sql.release, [checkId(eventId, 'eventId'), token])).rows.length === 1;
  }

  async extend(eventId: string, token: string, leaseMs: number): Promise<boolean> {
    const values = [checkId(eventId, 'eventId'), token, checkMs(leaseMs, 'leaseMs')];
    return (await this.#db.query(this.#sql.extend, values)).rows.length === 1;
  }

  async lastApplied(key: string): Promise<number | undefined> {
    const { rows } = await this.#db.query(this.#sql.lastApplied, [checkId(key, 'key')]);
    const value = rows[0]?.applied_ms;
    return value === undefined || value === null ? undefined : Number(value);
  }

  async recordApplied(key: string, timestampMs: number, retentionMs: number): Promise<void> {
    const values = [checkId(key, 'key'), checkTimestamp(timestampMs), checkMs(retentionMs, 'retentionMs')];
    await this.#db.query(this.#sql.recordApplied, values);
  }
}

function statements({ events, applied }: Tables) {
  const live = 'expires_at > statement_timestamp()';
  return {
    // Always updates on conflict (keeping a live row as it is) so that RETURNING reports the row's state
    // in the same statement: our token = acquired, NULL = done, another token = in flight.
    claim: `INSERT INTO ${events} AS s (event_id, token, expires_at)
VALUES ($1, $2, statement_timestamp() + $3${MS})
ON CONFLICT (event_id) DO UPDATE SET
  token = CASE WHEN s.expires_at <= statement_timestamp() THEN excluded.token ELSE s.token END,
  expires_at = CASE WHEN s.expires_at <= statement_timestamp() THEN excluded.expires_at ELSE s.expires_at END
RETURNING s.token`,
    complete: `UPDATE ${events} SET token = NULL, expires_at = statement_timestamp() + $3${MS}
WHERE event_id = $1 AND token = $2 AND ${live} RETURNING 1 AS ok`,
    release: `DELETE FROM ${events} WHERE event_id = $1 AND token = $2 AND ${live} RETURNING 1 AS ok`,
    extend: `UPDATE ${events} SET expires_at = statement_timestamp() + $3${MS}
WHERE event_id = $1 AND token = $2 AND ${live} RETURNING 1 AS ok`,
    lastApplied: `SELECT applied_ms FROM ${applied} WHERE resource_key = $1 AND ${live}`,
    recordApplied: `INSERT INTO ${applied} AS s (resource_key, applied_ms, expires_at)
VALUES ($1, $2::double precision, statement_timestamp() + $3${MS})
ON CONFLICT (resource_key) DO UPDATE SET applied_ms = excluded.applied_ms, expires_at = excluded.expires_at
WHERE s.applied_ms <= excluded.applied_ms OR s.expires_at <= statement_timestamp()`,
  };
}
