import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/servers.js';
import { signPayload } from '../../src/index.js';
import { binPath, distDir, ensureWebBundle, fixturesDir, probe, repoRoot, skipUnlessAvailable, webModuleGraph } from './support.js';

// The README's Workers recipe, as examples/cloudflare-worker.ts, served by real workerd with the published
// bundles under their package names and the secret as a binding: a signed delivery, its duplicate and a
// tampered copy get the handler's answers.
const workerd = binPath('workerd');
const available = probe(workerd, ['--version']);
const SECRET = 'whsec_workerd_example_secret';


/** The worker transpiled to JS, dist/web.js and dist/fetch.js (with chunks) named as the package's modules. */
function stage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'allthings-webhooks-worker-example-'));
  const source = readFileSync(join(repoRoot, 'examples/cloudflare-worker.ts'), 'utf8');
  writeFileSync(join(dir, 'worker.mjs'), transformSync(source, { loader: 'ts', format: 'esm' }).code);
  const files = new Set([...webModuleGraph('web.js'), ...webModuleGraph('fetch.js')]);
  const modules: string[] = [];
  for (const file of files) {
    copyFileSync(join(distDir, file), join(dir, file));
    const name = file === 'web.js' || file === 'fetch.js' ? file.slice(0, -3) : file;
    modules.push(`    (name = "allthings-webhooks/${name}", esModule = embed "${file}"),`);
  }
  const template = readFileSync(join(fixturesDir, 'example-worker.capnp'), 'utf8');
  writeFileSync(join(dir, 'config.capnp'), template.replace('    # DIST_MODULES', modules.join('\n')));
  return dir;
}

describe.skipIf(skipUnlessAvailable('workerd', available))('examples/cloudflare-worker.ts in workerd', () => {
  let dir = '';
  let child: ChildProcess | undefined;
  let url = '';
  let log = '';

  beforeAll(async () => {
    ensureWebBundle();
    dir = stage();
    const port = await freePort();
    url = `http://127.0.0.1:${port}/webhooks/allthings`;
    child = spawn(workerd, ['serve', join(dir, 'config.capnp'), '--socket-addr', `http=127.0.0.1:${port}`], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}:\n${log}`);
      try {
        await fetch(url, { signal: AbortSignal.timeout(2_000) });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`workerd did not answer: ${String(error)}\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }, 40_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child!.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  const body = JSON.stringify({ event: { id: 'evt-worker-1', name: 'ticket.created', data: { title: 'Grüße 👋' } } });
  const post = (text: string, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });

  it('processes a signed delivery once, acknowledges its duplicate and refuses a tampered copy', async () => {
    const headers = signPayload(body, SECRET);
    const first = await post(body, headers);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, outcome: 'processed' });
    expect(await (await post(body, headers)).json()).toEqual({ ok: true, outcome: 'duplicate' });
    const tampered = await post(body.replace('Grüße', 'Grüsse'), headers);
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(log).toContain('ticket.created evt-worker-1');
  });

  it('answers the unsigned setup ping with 200 and a GET with 405', async () => {
    expect((await post('{}', {})).status).toBe(200);
    expect((await fetch(url)).status).toBe(405);
  });
});
