import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, ensureWebBundle, expectCompleteReport, parseReport, probe, skipUnlessAvailable, stageRuntimeDir } from './support.js';

const bun = binPath('bun');
const available = probe(bun, ['--version']);

describe.skipIf(skipUnlessAvailable('Bun', available))('allthings-webhooks/web (dist) in Bun', () => {
  let dir = '';
  beforeAll(() => {
    ensureWebBundle();
    dir = stageRuntimeDir('bun', ['cli.mjs']);
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('passes every shared vector for every body type and header shape, and the extra checks', async () => {
    const { stdout } = await promisify(execFile)(bun, ['run', 'cli.mjs'], {
      cwd: dir,
      timeout: 30_000,
      killSignal: 'SIGKILL',
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0', NO_COLOR: '1' },
    });
    const report = parseReport(stdout);
    expect(report.runtime.version).toBe(available.detail);
    expectCompleteReport(report, 'bun');
  });
});
