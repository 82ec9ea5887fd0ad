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
  if (!isDecimal(text)) return 'malformed_timestamp';
  const value = Number(text);
  return { text, ms: unit === 's' ? value * 1000 : value };
}

/** True when `text` matches `/^[0-9]+$/` (a loop: cheaper than a regular expression for a dozen digits). */
function isDecimal(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
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
