import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeVectorConformance, type VerifyBackend } from '../support/verify-conformance.js';

// `npm test` builds dist/ first (the pretest script), so these run the code that is published.
const esmPath = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const cjsPath = fileURLToPath(new URL('../../dist/index.cjs', import.meta.url));

describe('the built package', () => {
  it('exists (run `npm run build` before running this file alone)', () => {
    expect(existsSync(esmPath)).toBe(true);
    expect(existsSync(cjsPath)).toBe(true);
  });
});

const esm = (await import(pathToFileURL(esmPath).href)) as VerifyBackend & Record<string, unknown>;
const cjs = createRequire(import.meta.url)(cjsPath) as VerifyBackend & Record<string, unknown>;

describeVectorConformance('the ESM build (dist/index.js)', esm);
describeVectorConformance('the CommonJS build (dist/index.cjs)', cjs);

describe('ESM and CommonJS builds', () => {
  it('export the same names', () => {
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
  });
});

describe('package.json exports', () => {
  it('list exactly the entries in src/entries (run `node scripts/sync-exports.mjs` after adding one)', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const root = new URL('../../', import.meta.url);
    const entries = readdirSync(new URL('src/entries/', root))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `./${f.slice(0, -3)}`);
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { exports: Record<string, unknown> };
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './package.json', ...entries].sort());
  });
});
