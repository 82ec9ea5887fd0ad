// One unref'd timer serving many due times (lease renewals, command deadlines), armed for the earliest,
// instead of a setTimeout per event or command.

/** The monotonic clock: a wall-clock step (NTP, VM resume) must neither postpone nor rush a due time. */
export const clock = (): number => performance.now();

/** Longest delay setTimeout takes; a longer one fires after 1 ms, with a TimeoutOverflowWarning. */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

/**
 * Calls `onDue(now)` once the earliest requested time has come; `onDue` handles what is due and answers the
 * next due time (or `Infinity` for none). A delay past setTimeout's limit is capped: the timer then fires
 * early, finds nothing due and re-arms, instead of spinning every millisecond.
 */
export class SharedTimer {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #at = Number.POSITIVE_INFINITY;
  readonly #onDue: (now: number) => number;

  constructor(onDue: (now: number) => number) {
    this.#onDue = onDue;
  }

  /** Makes sure the timer fires no later than `at`. */
  armBy(at: number): void {
    if (at < this.#at) this.#arm(at);
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#at = at;
    this.#timer = setTimeout(this.#fire, Math.min(MAX_TIMER_DELAY, Math.max(0, at - clock())));
    if (typeof this.#timer === 'object' && typeof this.#timer.unref === 'function') this.#timer.unref();
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#at = Number.POSITIVE_INFINITY;
    const next = this.#onDue(clock());
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
  };
}
