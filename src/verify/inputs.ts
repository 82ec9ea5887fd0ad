import { describe } from './options.js';

/** The raw body as the library hashes it: bytes, or a string hashed as its UTF-8 encoding. */
export type BodyBytes = Uint8Array | string;
/** The raw request body exactly as received. */
export type RawBody = Uint8Array | ArrayBuffer | string;
/** One signing secret: a string (its UTF-8 bytes are the key) or raw bytes. */
export type SecretKey = string | Uint8Array | ArrayBuffer;
/** A secret, or several during rotation: a delivery is authentic when any one of them signed it. */
export type WebhookSecret = SecretKey | readonly SecretKey[];

const RAW_BODY_HOWTO =
  'Pass the raw request body exactly as received (Buffer, Uint8Array, ArrayBuffer or string), not a parsed ' +
  'object: a body parser re-serializes JSON and the signature no longer matches. Express: ' +
  "`app.post(path, express.raw({ type: '*/*' }), handler)` and use `req.body`, or " +
  '`express.json({ verify: (req, res, buf) => { req.rawBody = buf } })`. Fastify: ' +
  "`fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => done(null, body))`. " +
  'Next.js / Fetch API: `Buffer.from(await request.arrayBuffer())` (or `await request.text()`).';

/** Checks the raw body's type; throws a `TypeError` that shows how to get the raw body. */
export function toBodyBytes(rawBody: unknown): BodyBytes {
  if (typeof rawBody === 'string' || rawBody instanceof Uint8Array) return rawBody;
  if (rawBody instanceof ArrayBuffer) return new Uint8Array(rawBody);
  if (ArrayBuffer.isView(rawBody)) return new Uint8Array(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  const hint =
    rawBody === undefined
      ? ' No body was captured: a raw-body parser whose content-type did not match (express.raw({ type: ... })) leaves req.body undefined.'
      : '';
  throw new TypeError(`allthings-webhooks: the raw body is ${describe(rawBody)}.${hint} ${RAW_BODY_HOWTO}`);
}

const SECRET_HOWTO =
  "Pass the endpoint's signing secret from the provider's settings (a string, or raw bytes), or a list of " +
  'secrets during rotation.';

// The same secret(s) arrive with every delivery. Strings are immutable, so the last checked string input
// (one secret, or a list of them with the same entries as before) keeps its checked list; byte secrets are
// checked on every call because their contents can change.
let lastInput: unknown;
let lastEntries: readonly string[] = [];
let lastList: ReadonlyArray<string | Uint8Array> = [];

/** Checks the secret(s) and returns them as a list of strings and byte arrays. Do not modify the list. */
export function toSecretList(secret: unknown): ReadonlyArray<string | Uint8Array> {
  if (
    secret === lastInput &&
    (typeof secret === 'string' || (Array.isArray(secret) && sameEntries(secret, lastEntries)))
  ) {
    return lastList;
  }
  if (typeof secret === 'string' || secret instanceof Uint8Array) return remember(secret, [checkSecret(secret, '')]);
  if (Array.isArray(secret)) {
    if (secret.length === 0) {
      throw new TypeError(`allthings-webhooks: the list of secrets is empty. ${SECRET_HOWTO}`);
    }
    // An index loop, not map(): map skips holes, and a hole would reach the crypto call.
    const list: Array<string | Uint8Array> = [];
    for (let i = 0; i < secret.length; i++) list.push(checkSecret(secret[i], ` (entry ${i})`));
    return remember(secret, list);
  }
  return [checkSecret(secret, '')];
}

function remember(input: unknown, list: ReadonlyArray<string | Uint8Array>): ReadonlyArray<string | Uint8Array> {
  if (list.every((one) => typeof one === 'string')) {
    lastInput = input;
    lastEntries = Array.isArray(input) ? (input.slice() as string[]) : [];
    lastList = list;
  }
  return list;
}

function sameEntries(list: readonly unknown[], entries: readonly string[]): boolean {
  if (list.length !== entries.length) return false;
  for (let i = 0; i < list.length; i++) if (list[i] !== entries[i]) return false;
  return true;
}

function checkSecret(secret: unknown, where: string): string | Uint8Array {
  if (typeof secret === 'string') {
    if (secret.length === 0) throw new TypeError(`allthings-webhooks: the secret${where} is empty. ${SECRET_HOWTO}`);
    if (secret.trim() !== secret) {
      throw new TypeError(
        `allthings-webhooks: the secret${where} starts or ends with whitespace, which is almost always a copy ` +
          'or .env mistake (a trailing newline). Trim it, e.g. `process.env.ALLTHINGS_WEBHOOK_SECRET.trim()`.',
      );
    }
    return secret;
  }
  if (secret instanceof ArrayBuffer) return checkSecret(new Uint8Array(secret), where);
  if (secret instanceof Uint8Array) {
    if (secret.byteLength === 0) throw new TypeError(`allthings-webhooks: the secret${where} is empty. ${SECRET_HOWTO}`);
    return secret;
  }
  const unset = secret === undefined ? ' (is the environment variable set?)' : '';
  throw new TypeError(`allthings-webhooks: the secret${where} is ${describe(secret)}${unset}. ${SECRET_HOWTO}`);
}
