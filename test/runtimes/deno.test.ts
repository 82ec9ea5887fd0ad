import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, ensureWebBundle, expectCompleteReport, parseReport, probe, skipUnlessAvailable, stageRuntimeDir } from './support.js';

const deno = binPath('deno');
const available = probe(deno, ['--version']);

describe.skipIf(skipUnlessAvailable('Deno', available))('allthings-webhooks/web (dist) in Deno', () => {
  let dir = '';
  beforeAll(() => {
    ensureWebBundle();
    dir = stageRuntimeDir('deno', ['cli.mjs']);
    mkdirSync(join(dir, '.deno-dir'));
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('passes every shared vector for every body type and header shape, and the extra checks', async () => {
    // Read access to the staged directory only, no network, a private DENO_DIR.
    const { stdout } = await promisify(execFile)(
      deno,
      ['run', `--allow-read=${dir}`, '--no-prompt', '--no-config', '--no-lock', 'cli.mjs'],
      {
        cwd: dir,
        timeout: 30_000,
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, DENO_DIR: join(dir, '.deno-dir'), NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
      },
    );
    const report = parseReport(stdout);
    expect(available.detail).toContain(`deno ${report.runtime.version} `);
    expectCompleteReport(report, 'deno');
  });
});
