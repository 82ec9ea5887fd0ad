import { WebhookVerificationError } from './errors.js';
import type { BodyBytes } from './inputs.js';

// `ignoreBOM: true` keeps a leading byte order mark in the text, so JSON.parse rejects it for every body
// type alike (as it does for a string or a Buffer decoded by Node); both entries parse the same way.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Parses a verified body as JSON; a failure becomes `invalid_json` without quoting the body. */
export function parseJsonBody<T>(body: BodyBytes): T {
  try {
    return JSON.parse(typeof body === 'string' ? body : decoder.decode(body)) as T;
  } catch {
    throw new WebhookVerificationError(
      'invalid_json',
      'The delivery is authentic but its body is not valid JSON (the provider sends UTF-8 JSON).',
    );
  }
}
