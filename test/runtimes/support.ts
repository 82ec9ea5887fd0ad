import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { bodyForms, headerForms, vectors } from '../support/vectors.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const distDir = join(repoRoot, 'dist');
export const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const inCi = process.env.CI === 'true';

/** Sources that end up in dist/web.js; a newer one means the bundle is stale. */
const WEB_SOURCES = ['src/entries/web.ts', 'src/verify', 'src/crypto/web.ts'];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function bundleIsFresh(): boolean {
  const bundle = join(distDir, 'web.js');
  if (!existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  return WEB_SOURCES.every((path) => newestMtime(join(repoRoot, path)) <= built);
}

/**
 * Makes sure dist/web.js exists and is newer than its sources (`npm test` builds it in `pretest`; running
 * vitest directly may not have). Test files run in parallel, so one builds under a lock and the others wait.
 */
export function ensureWebBundle(): void {
  if (bundleIsFresh()) return;
  const lock = join(tmpdir(), `allthings-webhooks-build-${Buffer.from(repoRoot).toString('hex').slice(-24)}.lock`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lock}`);
      sleep(200);
      if (bundleIsFresh()) return;
    }
  }
  try {
    if (!bundleIsFresh()) {
      execFileSync(join(repoRoot, 'node_modules/.bin/tsup'), ['--silent'], { cwd: repoRoot, stdio: 'pipe', timeout: 110_000 });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const RELATIVE_IMPORT = /\b(?:import|export)\s*(?:[\w*{}\s,$]*?\bfrom\s*)?["'](\.\/[^"']+)["']/g;

/** dist/web.js and every chunk it imports, transitively, as file names relative to dist/. */
export function webModuleGraph(entry = 'web.js'): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const code = readFileSync(join(distDir, name), 'utf8');
    for (const match of code.matchAll(RELATIVE_IMPORT)) visit(match[1]!.slice(2));
  };
  visit(entry);
  return [...seen];
}

/** A temp dir holding the web bundle (with its chunks), the shared vectors and the harness fixtures. */
export function stageRuntimeDir(prefix: string, extraFiles: readonly string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), `allthings-webhooks-${prefix}-`));
  for (const name of webModuleGraph()) copyFileSync(join(distDir, name), join(dir, name));
  copyFileSync(join(repoRoot, 'test/fixtures/signatures.json'), join(dir, 'signatures.json'));
  for (const name of ['harness.mjs', ...extraFiles]) copyFileSync(join(fixturesDir, name), join(dir, name));
  return dir;
}

/** Whether a runtime binary starts at all; the reason when it does not. */
export function probe(binary: string, args: readonly string[]): { ok: boolean; detail: string } {
  if (!existsSync(binary)) return { ok: false, detail: `${binary} is not installed` };
  const run = spawnSync(binary, args, { encoding: 'utf8', timeout: 15_000 });
  if (run.status === 0) return { ok: true, detail: run.stdout.trim() };
  return { ok: false, detail: `${binary} ${args.join(' ')} failed: ${run.error?.message ?? run.stderr.trim()}` };
}

/**
 * Skip a runtime that cannot start only outside CI, and say so; under CI=true the suite runs and fails.
 * Returns the value for `describe.skipIf`.
 */
export function skipUnlessAvailable(runtime: string, available: { ok: boolean; detail: string }): boolean {
  if (available.ok || inCi) return false;
  console.warn(`[runtimes] SKIPPED ${runtime}: ${available.detail}. These tests fail instead when CI=true.`);
  return true;
}

export function binPath(name: string): string {
  return join(repoRoot, 'node_modules/.bin', name);
}

export interface CaseReport {
  id: string;
  ok: boolean;
  reason: string | null;
}

export interface RuntimeReport {
  runtime: { name: string; version: string };
  hasBuffer: boolean;
  cases: CaseReport[];
  checks: Array<{ name: string; pass: boolean; detail: string }>;
}

/** The checks the harness runs beyond the vectors; a report must contain each, passed. */
export const HARNESS_CHECKS = [
  'signPayload matches the reference signature',
  'signPayload round trip in s and body-only modes',
  'verifyEvent parses the verified body',
  'verifyEvent rejects a non-JSON body with invalid_json',
  'bytes changed after the call do not change the result',
  'a parsed object body is a TypeError',
  'hasVerifiedPayload answers with its tolerance',
];

/**
 * The cases the harness must report, computed here on the Node side: every vector for every body form the
 * runtime builds (Uint8Array, ArrayBuffer, a view at an offset, and the string when the bytes are UTF-8) and
 * every header shape, each with the vector's expected outcome.
 */
export function expectedCases(): CaseReport[] {
  const out: CaseReport[] = [];
  for (const v of vectors) {
    const hasString = bodyForms(v).some(([kind]) => kind === 'string');
    const bodies = ['Uint8Array', 'ArrayBuffer', 'Uint8Array view', ...(hasString ? ['string'] : [])];
    for (const body of bodies) {
      for (const [headers] of headerForms(v)) {
        out.push({ id: `${v.name} / ${body} / ${headers}`, ok: v.expect.valid, reason: v.expect.reason ?? null });
      }
    }
  }
  return out;
}

export function parseReport(text: string): RuntimeReport {
  const line = text.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (line === undefined) throw new Error(`the runtime printed no JSON report:\n${text.slice(0, 2000)}`);
  return JSON.parse(line) as RuntimeReport;
}

/** Asserts from the Node side that a runtime ran every expected case with the expected outcome. */
export function expectCompleteReport(report: RuntimeReport, runtimeName: string): void {
  expect(report.runtime.name).toBe(runtimeName);
  const expected = expectedCases();
  expect(report.cases.map((c) => c.id).sort()).toEqual(expected.map((c) => c.id).sort());
  expect(report.cases.length).toBe(expected.length);
  const byId = new Map(report.cases.map((c) => [c.id, c]));
  const wrong = expected.filter((c) => {
    const got = byId.get(c.id);
    return got === undefined || got.ok !== c.ok || got.reason !== c.reason;
  });
  expect(wrong.map((c) => ({ expected: c, got: byId.get(c.id) }))).toEqual([]);
  expect(report.checks.map((c) => c.name).sort()).toEqual([...HARNESS_CHECKS].sort());
  expect(report.checks.filter((c) => !c.pass)).toEqual([]);
}
