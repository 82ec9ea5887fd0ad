import { describe, expect, it } from 'vitest';
import { bodyForms, headerForms, secretOf, vectors } from './vectors.js';

type Result = { ok: boolean; reason?: string; timestamp?: number };

/** The verification API of one backend (Node crypto, Web Crypto, a built bundle). */
export interface VerifyBackend {
  verifyPayload(body: unknown, headers: unknown, secret: unknown, options?: Record<string, unknown>): Result | Promise<Result>;
}

/** Every shared vector, for each body type and header shape, through one backend's public API. */
export function describeVectorConformance(backendName: string, backend: VerifyBackend): void {
  describe(`shared vectors through ${backendName}`, () => {
    for (const v of vectors) {
      describe(v.name, () => {
        for (const [bodyKind, body] of bodyForms(v)) {
          for (const [headerKind, headers] of headerForms(v)) {
            it(`${v.expect.valid ? 'accepts' : `rejects (${v.expect.reason})`} with a ${bodyKind} body and ${headerKind} headers`, async () => {
              const result = await backend.verifyPayload(body, headers, secretOf(v), { ...v.options, now: v.now_ms });
              if (v.expect.valid) {
                expect(result).toEqual({ ok: true, timestamp: expect.any(Number) });
              } else {
                expect(result.ok).toBe(false);
                expect(result.reason).toBe(v.expect.reason);
              }
            });
          }
        }
      });
    }
  });
}
