import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DATABASE_URL, REDIS_URL, serverMissing } from '../support/servers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const noRedis = await serverMissing('Redis');
const noPostgres = await serverMissing('PostgreSQL');

function demo(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'examples/demo.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

function expectEveryAnswerAsExpected(run: ReturnType<typeof demo>): void {
  expect(run.stderr).toBe('');
  expect(run.stdout).toMatch(/(\d+) deliveries: \1 answered as expected, 0 not\./);
  expect(run.stdout).toContain('work ran 5 times (each event exactly once)');
  expect(run.stdout).not.toMatch(/^FAIL/m);
  expect(run.status).toBe(0);
}

describe('npm run demo', () => {
  it('posts every kind of delivery to a real receiver (memory store) and gets the expected answer for each', () => {
    const run = demo();
    expect(run.stdout).toContain('store: in memory');
    expectEveryAnswerAsExpected(run);
  }, 90_000);

  it.skipIf(noRedis)('does the same with --redis', () => {
    const run = demo('--redis', REDIS_URL);
    expect(run.stdout).toContain('store: Redis');
    expectEveryAnswerAsExpected(run);
  }, 90_000);

  it.skipIf(noPostgres)('does the same with --postgres', () => {
    const run = demo('--postgres', DATABASE_URL);
    expect(run.stdout).toContain('store: PostgreSQL');
    expectEveryAnswerAsExpected(run);
  }, 90_000);

  it('refuses unknown arguments with the usage line instead of silently using memory', () => {
    const run = demo('--redis=redis://127.0.0.1:6379');
    expect(run.stderr).toMatch(/unknown arguments.*\nusage: npm run demo/s);
    expect(run.status).toBe(2);
  }, 30_000);
});
