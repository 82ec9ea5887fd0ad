import type { WebhookHooks } from './types.js';

/**
 * Calls one hook without awaiting it. A hook that throws or rejects cannot change the HTTP answer, and
 * the library never logs, so its error is dropped.
 */
export function callHook<K extends keyof WebhookHooks>(
  hooks: WebhookHooks,
  name: K,
  info: Parameters<NonNullable<WebhookHooks[K]>>[0],
): void {
  const hook = hooks[name] as ((arg: typeof info) => unknown) | undefined;
  if (hook === undefined) return;
  try {
    const result = hook(info);
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(undefined, () => undefined);
    }
  } catch {
    // Deliberately ignored: see above.
  }
}

/** Milliseconds since `start`, from the monotonic clock. */
export function elapsed(start: number): number {
  return Math.round((performance.now() - start) * 1000) / 1000;
}
