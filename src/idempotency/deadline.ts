// Deadlines for store commands, all served by one unref'd timer armed for the earliest one, instead of a
// setTimeout, a Promise.race and a finally per command (measurable at tens of thousands of commands/s).

interface Pending {
  readonly deadline: number;
  readonly expire: () => void;
}

const pending = new Set<Pending>();
let timer: ReturnType<typeof setTimeout> | undefined;
let timerAt = Number.POSITIVE_INFINITY;

// Scheduled on the monotonic clock: a wall-clock step (NTP, VM resume) must not postpone or rush a timer.
const clock = (): number => performance.now();
/** Longest delay setTimeout takes; a longer one fires after 1 ms, with a TimeoutOverflowWarning. */
const MAX_TIMER_DELAY = 2 ** 31 - 1;
/** The setTimeout delay for `at`, capped so that a far deadline waits (and re-arms) instead of spinning. */
const delayUntil = (at: number): number => Math.min(MAX_TIMER_DELAY, Math.max(0, at - clock()));

/** `promise`, or a rejection with `timeoutError()` if it has not settled within `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const entry: Pending = { deadline: clock() + ms, expire: () => reject(timeoutError()) };
    pending.add(entry);
    if (entry.deadline < timerAt) arm(entry.deadline);
    promise.then(
      (value) => {
        pending.delete(entry);
        resolve(value);
      },
      (error: unknown) => {
        pending.delete(entry);
        reject(error);
      },
    );
  });
}

function arm(at: number): void {
  if (timer !== undefined) clearTimeout(timer);
  timerAt = at;
  timer = setTimeout(expireDue, delayUntil(at));
  if (typeof timer === 'object' && typeof timer.unref === 'function') timer.unref();
}

function expireDue(): void {
  timer = undefined;
  timerAt = Number.POSITIVE_INFINITY;
  const now = clock();
  let next = Number.POSITIVE_INFINITY;
  for (const entry of pending) {
    if (entry.deadline <= now) {
      pending.delete(entry);
      entry.expire();
    } else if (entry.deadline < next) {
      next = entry.deadline;
    }
  }
  if (next !== Number.POSITIVE_INFINITY) arm(next);
}
