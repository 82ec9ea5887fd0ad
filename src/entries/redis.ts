export {
  RedisSeenEventStore,
  RedisCommandTimeoutError,
  REDIS_COMMAND_TIMEOUT_CODE,
  type RedisStoreOptions,
  type RedisClientLike,
  type NodeRedisClientLike,
  type IoRedisClientLike,
} from '../idempotency/redis.js';
