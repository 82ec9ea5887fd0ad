// Argument checks shared by the server-backed stores. processOnce validates its own options; these catch
// direct callers of a store (a programming error, so a TypeError that says what to pass).

export function checkId(value: string, name: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`allthings-webhooks: ${name} must be a non-empty string.`);
  }
  return value;
}

export function checkMs(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`allthings-webhooks: ${name} must be a positive, finite number of milliseconds.`);
  }
  return value;
}

export function checkTimestamp(value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError('allthings-webhooks: timestampMs must be a finite number (epoch milliseconds).');
  }
  return value;
}
