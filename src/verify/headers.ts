/** One header's value as the common request types hold it. */
export type HeaderValue = string | readonly string[] | number | undefined | null;

/** Anything with a case-insensitive `get`, such as the Fetch API's `Headers`. */
export interface HeadersLike {
  get(name: string): string | null | undefined;
}

/**
 * Request headers in any of the shapes hosts hand them over: Node's `IncomingHttpHeaders`
 * (arrays for repeated headers), a Fetch `Headers`, a `Map`, or a plain object in any letter case.
 */
export type WebhookHeaders =
  | HeadersLike
  | ReadonlyMap<string, HeaderValue>
  | Readonly<Record<string, HeaderValue>>;

const HOW_TO_PASS_HEADERS =
  'pass the request headers as they arrive: `req.headers` (node:http, Express, Fastify, Koa), ' +
  '`request.headers` (Fetch API), or a plain object / Map of header names to values';

/**
 * Reads every value of one header. `lowerName` must be lower-case. Returns an empty list when the header
 * is absent. Node's lower-cased keys take the fast path; other shapes fall back to a case-insensitive scan.
 */
export function readHeader(headers: WebhookHeaders, lowerName: string): string[] {
  if (headers === null || typeof headers !== 'object') {
    throw new TypeError(`allthings-webhooks: headers must be an object; ${HOW_TO_PASS_HEADERS}.`);
  }
  // The usual case first: Node's (or a plain object's) own lower-case key holding one string.
  if (Object.prototype.hasOwnProperty.call(headers, lowerName)) {
    const exact = (headers as Readonly<Record<string, HeaderValue>>)[lowerName];
    if (typeof exact === 'string') return [exact];
  }
  if (headers instanceof Map) return fromMap(headers as ReadonlyMap<string, HeaderValue>, lowerName);
  if (Array.isArray(headers)) {
    // Answering missing_signature here would acknowledge every delivery as a setup ping.
    throw new TypeError(`allthings-webhooks: headers must not be an array (req.rawHeaders?); ${HOW_TO_PASS_HEADERS}.`);
  }
  if (isRequestObject(headers)) {
    throw new TypeError(`allthings-webhooks: got the request instead of its headers; ${HOW_TO_PASS_HEADERS}.`);
  }
  if (typeof (headers as HeadersLike).get === 'function') {
    const value = (headers as HeadersLike).get(lowerName);
    return value === null || value === undefined ? [] : [String(value)];
  }
  const record = headers as Readonly<Record<string, HeaderValue>>;
  const exact = Object.prototype.hasOwnProperty.call(record, lowerName) ? record[lowerName] : undefined;
  if (typeof exact === 'string') return [exact]; // the usual case; `[]` + push would reserve 17 slots
  if (exact !== undefined && exact !== null) return pushValue([], exact);
  const out: string[] = [];
  for (const key of Object.keys(record)) {
    if (key.length === lowerName.length && key !== lowerName && key.toLowerCase() === lowerName) {
      pushValue(out, record[key]);
    }
  }
  return out;
}

/** A request (node:http, Fetch, Koa) passed where its headers belong: it has `headers` and a `method`. */
function isRequestObject(value: object): boolean {
  const candidate = value as { headers?: unknown; method?: unknown };
  return typeof candidate.method === 'string' && typeof candidate.headers === 'object' && candidate.headers !== null;
}

function fromMap(map: ReadonlyMap<string, HeaderValue>, lowerName: string): string[] {
  const exact = map.get(lowerName);
  if (typeof exact === 'string') return [exact];
  if (exact !== undefined && exact !== null) return pushValue([], exact);
  const out: string[] = [];
  for (const [key, value] of map) {
    if (typeof key === 'string' && key.length === lowerName.length && key.toLowerCase() === lowerName) {
      pushValue(out, value);
    }
  }
  return out;
}

function pushValue(out: string[], value: HeaderValue): string[] {
  if (value === undefined || value === null) return out;
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number') out.push(String(value));
  else if (Array.isArray(value)) {
    for (const item of value) if (item !== undefined && item !== null) out.push(String(item));
  }
  return out;
}

/** Trims spaces and horizontal tabs only, as HTTP optional whitespace is defined. */
export function trimOws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isOws(text.charCodeAt(start))) start++;
  while (end > start && isOws(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** True when some value holds more than spaces and tabs. */
export function hasContent(values: readonly string[]): boolean {
  for (const value of values) if (trimOws(value) !== '') return true;
  return false;
}

/**
 * Splits header values into their comma-separated entries, trimmed, without empty entries.
 * A repeated header and a comma list mean the same thing.
 */
export function headerEntries(values: readonly string[]): readonly string[] {
  // The common case, one value with one clean entry, returns the list it was given: no allocation.
  if (values.length === 1) {
    const only = values[0] as string;
    if (only.indexOf(',') === -1 && only !== '' && trimOws(only) === only) return values;
  }
  const out: string[] = [];
  for (const value of values) {
    if (value.indexOf(',') === -1) {
      const entry = trimOws(value);
      if (entry !== '') out.push(entry);
      continue;
    }
    for (const part of value.split(',')) {
      const entry = trimOws(part);
      if (entry !== '') out.push(entry);
    }
  }
  return out;
}
