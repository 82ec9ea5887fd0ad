import { describe, expect, it } from 'vitest';
import { REDIS_COMMAND_TIMEOUT_CODE, RedisSeenEventStore, type RedisClientLike } from '../../src/idempotency/redis.js';

// Command deadlines share one timer and one list of waiting commands across every store in the process.
// A client stand-in that answers only when told lets each command hang or settle on cue; what is tested is
// the library's deadline bookkeeping, not Redis.
function controllableClient() {
  const waiting: Array<{ resolve: (value: unknown) => void; reject: (error: unknown) => void }> = [];
  const answer = () =>
    new Promise<unknown>((resolve, reject) => {
      waiting.push({ resolve, reject });
    });
  const client = { evalSha: answer, eval: answer } as unknown as RedisClientLike;
  return { client, waiting };
}

function outcome(promise: Promise<unknown>, log: string[], name: string): Promise<void> {
  return promise.then(
    (value) => void log.push(`${name}:ok:${String(value)}`),
    (error: { code?: string }) => void log.push(`${name}:${error.code === REDIS_COMMAND_TIMEOUT_CODE ? 'timeout' : 'error'}`),
  );
}

describe('store command deadlines', () => {
  it('times out only the commands that hang, each at its own store timeout, in order', async () => {
    const { client, waiting } = controllableClient();
    const fast = new RedisSeenEventStore(client, { commandTimeoutMs: 40 });
    const slow = new RedisSeenEventStore(client, { commandTimeoutMs: 160 });
    const log: string[] = [];
    const done = Promise.all([
      outcome(slow.extend('s1', 't', 1000), log, 'slow-hangs'),
      outcome(fast.extend('f1', 't', 1000), log, 'fast-hangs-1'),
      outcome(fast.extend('f2', 't', 1000), log, 'fast-answers'),
      outcome(fast.extend('f3', 't', 1000), log, 'fast-hangs-2'),
      outcome(fast.extend('f4', 't', 1000), log, 'fast-fails'),
    ]);
    waiting[2]!.resolve(1); // answered in time
    waiting[4]!.reject(new Error('connection reset')); // the client's own error, passed on
    await done;
    expect(log).toEqual([
      'fast-answers:ok:true',
      'fast-fails:error',
      'fast-hangs-1:timeout',
      'fast-hangs-2:timeout',
      'slow-hangs:timeout',
    ]);
    // A late answer to a command that already timed out changes nothing.
    waiting[1]!.resolve(1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log).toHaveLength(5);
  });

  it('keeps serving deadlines after the list has emptied', async () => {
    const { client, waiting } = controllableClient();
    const store = new RedisSeenEventStore(client, { commandTimeoutMs: 30 });
    const log: string[] = [];
    await outcome(store.extend('a', 't', 1000), log, 'first');
    const second = outcome(store.extend('b', 't', 1000), log, 'second');
    waiting[1]!.resolve(0);
    await second;
    await outcome(store.extend('c', 't', 1000), log, 'third');
    expect(log).toEqual(['first:timeout', 'second:ok:false', 'third:timeout']);
  });
});
