import { describe } from 'vitest';
import { describeStoreContract } from '../support/store-contract.js';
import { postgresHarness } from '../support/postgres-harness.js';
import { serverMissing } from '../support/servers.js';

const skip = await serverMissing('PostgreSQL');

describe.skipIf(skip)('PostgreSQL', () => {
  describeStoreContract('PostgreSQL via a pg Pool', postgresHarness());
});
