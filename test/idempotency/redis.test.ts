import { describe } from 'vitest';
import { describeStoreContract } from '../support/store-contract.js';
import { redisHarness } from '../support/redis-harness.js';
import { serverMissing } from '../support/servers.js';

const skip = await serverMissing('Redis');

describe.skipIf(skip)('Redis', () => {
  describeStoreContract('Redis via node-redis', redisHarness('node-redis'));
  describeStoreContract('Redis via ioredis', redisHarness('ioredis'));
});
