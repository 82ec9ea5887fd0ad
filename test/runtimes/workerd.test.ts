import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/servers.js';
import {
  binPath,
  ensureWebBundle,
  expectCompleteReport,
  fixturesDir,
  probe,
  skipUnlessAvailable,
  stageRuntimeDir,
  webModuleGraph,
  type RuntimeReport,
} from './support.js';

const workerd = binPath('workerd');
const available = probe(workerd, ['--version']);


/** Writes config.capnp: the fixture's config with one esModule entry per file of the built bundle. */
function writeConfig(dir: string): void {
  const modules = webModuleGraph()
    .map((name) => `    (name = "${name}", esModule = embed "${name}"),`)
    .join('\n');
  const template = readFileSync(join(fixturesDir, 'workerd.capnp'), 'utf8');
  if (!template.includes('    # DIST_MODULES')) throw new Error('workerd.capnp lost its DIST_MODULES line');
  writeFileSync(join(dir, 'config.capnp'), template.replace('    # DIST_MODULES', modules));
}

/** Polls until workerd answers (or exits, or the deadline passes). */
async function fetchReport(url: string, child: ChildProcess, log: () => string): Promise<RuntimeReport> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (response.status !== 200) throw new Error(`status ${response.status}: ${await response.text()}`);
      return (await response.json()) as RuntimeReport;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`workerd did not answer on ${url}: ${String(err)}\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

describe.skipIf(skipUnlessAvailable('workerd', available))('allthings-webhooks/web (dist) in workerd', () => {
  let dir = '';
  let child: ChildProcess | undefined;
  beforeAll(() => {
    ensureWebBundle();
    dir = stageRuntimeDir('workerd', ['worker.mjs']);
    writeConfig(dir);
  });
  afterAll(async () => {
    if (child !== undefined) await stop(child);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('serves a worker that passes every shared vector, without Buffer or nodejs_compat', async () => {
    const port = await freePort();
    let output = '';
    child = spawn(workerd, ['serve', 'config.capnp', '--socket-addr', `http=127.0.0.1:${port}`], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const report = await fetchReport(`http://127.0.0.1:${port}/`, child, () => output);
      expect(report.hasBuffer).toBe(false);
      expectCompleteReport(report, 'Cloudflare-Workers');
    } finally {
      await stop(child);
    }
  });
});
