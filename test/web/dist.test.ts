import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { distDir, ensureWebBundle } from '../runtimes/support.js';
import { describeApiConformance, type WebhookApi } from '../support/api-conformance.js';
import { describeVectorConformance } from '../support/verify-conformance.js';

// The published web builds, run in Node (which has Web Crypto on globalThis from Node 19 on).
ensureWebBundle();
const esm = (await import(pathToFileURL(join(distDir, 'web.js')).href)) as WebhookApi & Record<string, unknown>;
const cjs = createRequire(import.meta.url)(join(distDir, 'web.cjs')) as WebhookApi & Record<string, unknown>;

describeVectorConformance('the web ESM build (dist/web.js)', esm);
describeVectorConformance('the web CommonJS build (dist/web.cjs)', cjs);
describeApiConformance('the web ESM build (dist/web.js)', esm);

describe('the web builds', () => {
  it('export the same names as each other and the same verification names as the Node entry', async () => {
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
    const node = await import('../../src/index.js');
    for (const name of Object.keys(esm)) expect(Object.keys(node)).toContain(name);
  });
});
