// Real servers for the store suites. Unreachable: skipped with a printed notice locally, a failure when
// CI=true (a CI run that silently skipped the Redis and PostgreSQL suites would prove nothing).
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { createClient } from 'redis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A name unique to this test run, safe as a Redis key part and as a SQL identifier. */
export function uniqueName(label: string): string {
  return `t_${label}_${process.pid}_${randomUUID().slice(0, 8)}`;
}

async function probeRedis(): Promise<void> {
  const client = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false, connectTimeout: 2000 } });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.ping();
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function probePostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

const probes = { Redis: [probeRedis, REDIS_URL], PostgreSQL: [probePostgres, DATABASE_URL] } as const;

/** True when the server is unreachable and its tests should be skipped; throws instead when CI=true. */
export async function serverMissing(name: keyof typeof probes): Promise<boolean> {
  const [probe, url] = probes[name];
  try {
    await probe();
    return false;
  } catch (error) {
    const shown = url.replace(/\/\/[^@/]*@/, '//***@');
    const why = error instanceof Error ? error.message : String(error);
    if (process.env.CI === 'true') {
      throw new Error(`${name} at ${shown} is unreachable (${why}) and CI=true: start it before running the tests.`, {
        cause: error,
      });
    }
    console.warn(`[notice] ${name} at ${shown} is unreachable (${why}); its tests are SKIPPED. CI=true makes this fail.`);
    return true;
  }
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
