import { createHash, randomUUID } from 'node:crypto';
import { withDeadline } from './deadline.js';
import type { AppliedOrderStore, ClaimResult, SeenEventStore } from './store.js';
import { checkId, checkMs, checkTimestamp } from './validate.js';

/**
 * node-redis v4+ (`createClient()` or `createCluster()`), recognised by its `evalSha(sha, { keys, arguments })`.
 *
 * @example
 * ```ts
 * const client: NodeRedisClientLike = await createClient({ url }).connect();
 * ```
 */
export interface NodeRedisClientLike {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/**
 * ioredis (`new Redis()` or `new Cluster()`), recognised by its `evalsha(sha, numKeys, ...args)`.
 *
 * @example
 * ```ts
 * const client: IoRedisClientLike = new Redis(url);
 * ```
 */
export interface IoRedisClientLike {
  eval(script: string, numKeys: number, ...args: string[]): Promise<unknown>;
  evalsha(sha1: string, numKeys: number, ...args: string[]): Promise<unknown>;
}

/**
 * Either supported Redis client; the store never imports one, it only needs these methods.
 *
 * @example
 * ```ts
 * function makeStore(client: RedisClientLike) { return new RedisSeenEventStore(client); }
 * ```
 */
export type RedisClientLike = NodeRedisClientLike | IoRedisClientLike;

/**
 * Settings for {@link RedisSeenEventStore}.
 *
 * @example
 * ```ts
 * new RedisSeenEventStore(client, { keyPrefix: 'billing:webhooks:', commandTimeoutMs: 1000 });
 * ```
 */
export interface RedisStoreOptions {
  /** Prepended to every key (after any prefix the client itself adds). Default `allthings:webhooks:`. */
  keyPrefix?: string;
  /**
   * Longest wait for one store command, in ms (default 2000; `Infinity` disables it). Clients queue
   * commands while disconnected (node-redis forever, unless `disableOfflineQueue: true`), so without a
   * bound a claim could hang while the provider waits for an answer.
   */
  commandTimeoutMs?: number;
}

/**
 * The value of `code` on a {@link RedisCommandTimeoutError}.
 *
 * @example
 * ```ts
 * if ((err as { cause?: { code?: string } }).cause?.code === REDIS_COMMAND_TIMEOUT_CODE) metrics.redisSlow();
 * ```
 */
export const REDIS_COMMAND_TIMEOUT_CODE = 'ERR_ALLTHINGS_STORE_TIMEOUT';

/**
 * A Redis command did not answer within `commandTimeoutMs`. `processOnce` wraps it, like any store
 * failure, in a `StoreUnavailableError`.
 *
 * @example
 * ```ts
 * if (err instanceof StoreUnavailableError && err.cause instanceof RedisCommandTimeoutError) retryLater();
 * ```
 */
export class RedisCommandTimeoutError extends Error {
  override readonly name = 'RedisCommandTimeoutError';
  /** Always {@link REDIS_COMMAND_TIMEOUT_CODE}. */
  readonly code = REDIS_COMMAND_TIMEOUT_CODE;
  constructor(operation: string, timeoutMs: number) {
    super(`allthings-webhooks: Redis did not answer ${operation} within ${timeoutMs} ms (commandTimeoutMs).`);
  }
}

interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

// Values: absent = free, 'L' + token = in flight (PX = lease), 'D' = done (PX = retention).
// Every expiry is a server-side PX, so the clocks of the callers never matter.
const CLAIM = script(`local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], 'L' .. ARGV[1], 'PX', ARGV[2])
  return 1
end
if v == 'D' then return 3 end
return 2`);
const COMPLETE = script(`if redis.call('GET', KEYS[1]) ~= 'L' .. ARGV[1] then return 0 end
redis.call('SET', KEYS[1], 'D', 'PX', ARGV[2])
return 1`);
const RELEASE = script(`if redis.call('GET', KEYS[1]) ~= 'L' .. ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`);
const EXTEND = script(`if redis.call('GET', KEYS[1]) ~= 'L' .. ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`);
const LAST_APPLIED = script(`return redis.call('GET', KEYS[1])`);
const RECORD_APPLIED = script(`local v = redis.call('GET', KEYS[1])
if v and tonumber(v) > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`);

type Runner = (script: Script, key: string, args: string[]) => Promise<unknown>;

/**
 * Seen-event store on Redis, for several processes or machines. Pass your own connected client, node-redis
 * (v4+) or ioredis; each operation is one Lua script (EVALSHA, falling back to EVAL), so claim, complete,
 * release and extend are atomic, and expiries use the server's clock. Also an {@link AppliedOrderStore}.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RedisSeenEventStore } from 'allthings-webhooks/redis';
 * const client = await createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true }).connect();
 * const store = new RedisSeenEventStore(client, { keyPrefix: 'myapp:webhooks:' });
 * await processOnce(store, event.id, () => handle(event));
 * ```
 */
export class RedisSeenEventStore implements SeenEventStore, AppliedOrderStore {
  readonly #run: Runner;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #timeoutError = (operation: string): Error => new RedisCommandTimeoutError(operation, this.#timeoutMs);

  constructor(client: RedisClientLike, options: RedisStoreOptions = {}) {
    this.#run = runnerFor(client);
    const prefix = options.keyPrefix ?? 'allthings:webhooks:';
    if (typeof prefix !== 'string') {
      throw new TypeError("allthings-webhooks: keyPrefix must be a string, e.g. 'myapp:webhooks:'.");
    }
    this.#prefix = prefix;
    const timeout = options.commandTimeoutMs ?? 2000;
    if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout <= 0) {
      throw new TypeError('allthings-webhooks: commandTimeoutMs must be a positive number of ms (or Infinity).');
    }
    this.#timeoutMs = timeout;
  }

  async claim(eventId: string, leaseMs: number): Promise<ClaimResult> {
    checkId(eventId, 'eventId');
    const token = randomUUID();
    let reply: unknown;
    try {
      reply = await this.#call('claim', CLAIM, this.#eventKey(eventId), [token, px(checkMs(leaseMs, 'leaseMs'))]);
    } catch (error) {
      // A timed-out claim may still run later (from the client's offline queue) and hold a lease nobody
      // uses; a release queued behind it frees the id again instead of leaving it blocked for a lease.
      if (error instanceof RedisCommandTimeoutError) this.release(eventId, token).catch(() => false);
      throw error;
    }
    if (reply === 1) return { state: 'acquired', token };
    if (reply === 2) return { state: 'in_flight' };
    if (reply === 3) return { state: 'done' };
    throw unexpected('claim', reply);
  }

  async complete(eventId: string, token: string, retentionMs: number): Promise<boolean> {
    const key = this.#eventKey(checkId(eventId, 'eventId'));
    const args = [token, px(checkMs(retentionMs, 'retentionMs'))];
    return flag('complete', await this.#call('complete', COMPLETE, key, args));
  }

  async release(eventId: string, token: string): Promise<boolean> {
    return flag('release', await this.#call('release', RELEASE, this.#eventKey(checkId(eventId, 'eventId')), [token]));
  }

  async extend(eventId: string, token: string, leaseMs: number): Promise<boolean> {
    const key = this.#eventKey(checkId(eventId, 'eventId'));
    return flag('extend', await this.#call('extend', EXTEND, key, [token, px(checkMs(leaseMs, 'leaseMs'))]));
  }

  async lastApplied(key: string): Promise<number | undefined> {
    const reply = await this.#call('lastApplied', LAST_APPLIED, this.#appliedKey(checkId(key, 'key')), []);
    if (reply === null || reply === undefined) return undefined;
    const value = Number(String(reply));
    if (!Number.isFinite(value)) throw unexpected('lastApplied', reply);
    return value;
  }

  async recordApplied(key: string, timestampMs: number, retentionMs: number): Promise<void> {
    const args = [String(checkTimestamp(timestampMs)), px(checkMs(retentionMs, 'retentionMs'))];
    await this.#call('recordApplied', RECORD_APPLIED, this.#appliedKey(checkId(key, 'key')), args);
  }

  #eventKey(eventId: string): string {
    return `${this.#prefix}event:${eventId}`;
  }

  #appliedKey(key: string): string {
    return `${this.#prefix}applied:${key}`;
  }

  #call(operation: string, script: Script, key: string, args: string[]): Promise<unknown> {
    const reply = this.#run(script, key, args);
    if (this.#timeoutMs === Infinity) return reply;
    return withDeadline(reply, this.#timeoutMs, this.#timeoutError, operation);
  }
}

function runnerFor(client: RedisClientLike): Runner {
  const candidate = client as Partial<NodeRedisClientLike & IoRedisClientLike> | null | undefined;
  if (candidate && typeof candidate.evalsha === 'function' && typeof candidate.eval === 'function') {
    const io = client as IoRedisClientLike;
    return (s, key, args) =>
      io.evalsha(s.sha, 1, key, ...args).catch((error: unknown) => {
        if (isNoScript(error)) return io.eval(s.source, 1, key, ...args);
        throw error;
      });
  }
  if (candidate && typeof candidate.evalSha === 'function' && typeof candidate.eval === 'function') {
    const node = client as NodeRedisClientLike;
    return (s, key, args) =>
      node.evalSha(s.sha, { keys: [key], arguments: args }).catch((error: unknown) => {
        if (isNoScript(error)) return node.eval(s.source, { keys: [key], arguments: args });
        throw error;
      });
  }
  throw new TypeError(
    'allthings-webhooks: RedisSeenEventStore needs a node-redis client (`await createClient().connect()`) ' +
      'or an ioredis client (`new Redis()`).',
  );
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

function px(ms: number): string {
  // PX takes whole milliseconds; rounding up keeps a 0.5 ms lease from becoming "no expiry" errors.
  return String(Math.max(1, Math.ceil(ms)));
}

function flag(operation: string, reply: unknown): boolean {
  if (reply === 1) return true;
  if (reply === 0) return false;
  throw unexpected(operation, reply);
}

function unexpected(operation: string, reply: unknown): Error {
  return new Error(`allthings-webhooks: unexpected Redis reply to ${operation} (${typeof reply}).`);
}
