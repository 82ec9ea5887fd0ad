import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run demo', () => {
  it('posts every kind of delivery to a real receiver and gets the expected answer for each', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/(\d+) deliveries: \1 as expected, 0 not\./);
    expect(run.stdout).not.toMatch(/^FAIL/m);
    expect(run.status).toBe(0);
  }, 90_000);
});
