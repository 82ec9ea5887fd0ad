export {
  PostgresSeenEventStore,
  seenEventsDdl,
  DEFAULT_SEEN_EVENTS_TABLE,
  type PostgresQueryable,
  type PostgresStoreOptions,
  type PostgresTableOptions,
} from '../idempotency/postgres.js';
