import { hasContent, headerEntries } from './headers.js';
import type { ResolvedOptions } from './options.js';

/** A timestamp header read strictly: the exact signed text and its value in epoch milliseconds. */
export interface ParsedTimestamp {
  readonly text: string;
  readonly ms: number;
}

/**
 * Parses the timestamp header values. Accepts one plain decimal integer (repeats of the same value are
 * fine); anything else is malformed. The unit comes from configuration: guessing it from the size of the
 * number would let an attacker move digits between the timestamp and the body, which are signed unseparated.
 */
export function parseTimestamp(
  values: readonly string[],
  unit: ResolvedOptions['unit'],
): ParsedTimestamp | 'missing_timestamp' | 'malformed_timestamp' {
  const entries = headerEntries(values);
  if (entries.length === 0) return hasContent(values) ? 'malformed_timestamp' : 'missing_timestamp';
  const text = entries[0]!;
  for (let i = 1; i < entries.length; i++) if (entries[i] !== text) return 'malformed_timestamp';
  const value = decimalValue(text);
  if (value < 0) return 'malformed_timestamp';
  return { text, ms: unit === 's' ? value * 1000 : value };
}

/**
 * The value of `text` when it matches `/^[0-9]+$/`, otherwise -1. One loop checks and accumulates (exact up
 * to 15 digits; longer texts, far outside any window, go through `Number`).
 */
function decimalValue(text: string): number {
  if (text.length === 0) return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return text.length <= 15 ? value : Number(text);
}

/** Outcome of the window check: `undefined` when fresh. */
export function checkFreshness(
  timestampMs: number,
  options: Pick<ResolvedOptions, 'nowMs' | 'toleranceMs'>,
): 'timestamp_too_old' | 'timestamp_in_future' | undefined {
  if (timestampMs < options.nowMs - options.toleranceMs) return 'timestamp_too_old';
  if (timestampMs > options.nowMs + options.toleranceMs) return 'timestamp_in_future';
  return undefined;
}
