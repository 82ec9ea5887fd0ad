// Deadlines for store commands, all served by one shared timer (timer.ts), instead of a setTimeout, a
// Promise.race and a finally per command (measurable at tens of thousands of commands/s).

import { clock, SharedTimer } from './timer.js';

/** One command waiting, in an intrusive doubly linked list: O(1) to add and drop, no hashing. */
class Pending {
  prev: Pending | undefined = undefined;
  next: Pending | undefined = undefined;
  linked = true;

  constructor(
    readonly deadline: number,
    readonly reject: (error: unknown) => void,
    readonly timeoutError: (label: string) => Error,
    readonly label: string,
  ) {}
}

let head: Pending | undefined;
let tail: Pending | undefined;
const timer = new SharedTimer(expireDue);

function link(entry: Pending): void {
  entry.prev = tail;
  if (tail === undefined) head = entry;
  else tail.next = entry;
  tail = entry;
}

function unlink(entry: Pending): void {
  if (!entry.linked) return;
  entry.linked = false;
  if (entry.prev === undefined) head = entry.next;
  else entry.prev.next = entry.next;
  if (entry.next === undefined) tail = entry.prev;
  else entry.next.prev = entry.prev;
  entry.prev = entry.next = undefined;
}

/**
 * `promise`, or a rejection with `timeoutError(label)` if it has not settled within `ms`. The error is made
 * from a label, not by a closure per call: this runs for every store command.
 */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  timeoutError: (label: string) => Error,
  label: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const entry = new Pending(clock() + ms, reject, timeoutError, label);
    link(entry);
    timer.armBy(entry.deadline);
    promise.then(
      (value) => {
        unlink(entry);
        resolve(value);
      },
      (error: unknown) => {
        unlink(entry);
        reject(error);
      },
    );
  });
}

/** Rejects every command past its deadline; answers the next deadline. */
function expireDue(now: number): number {
  let next = Number.POSITIVE_INFINITY;
  for (let entry = head; entry !== undefined; ) {
    const following = entry.next;
    if (entry.deadline <= now) {
      unlink(entry);
      entry.reject(entry.timeoutError(entry.label));
    } else if (entry.deadline < next) {
      next = entry.deadline;
    }
    entry = following;
  }
  return next;
}
