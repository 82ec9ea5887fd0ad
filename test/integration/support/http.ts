// HTTP clients for the integration tests: fetch for ordinary requests, a raw TCP socket for requests that
// must be written in pieces (split mid-character, oversized bodies answered before they are sent).
import net from 'node:net';
import { signPayload } from 'allthings-webhooks';

export const SECRET = 'whsec_integration_test_secret';
/** Generous client timeout: a hang fails the test; it is not a speed assertion. */
export const CLIENT_TIMEOUT_MS = 5_000;

export interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** A delivery envelope as the provider sends it. */
export function envelope(id: string, name = 'ticket.created', data: unknown = { title: 'Leaking tap' }, extra = {}) {
  return JSON.stringify({ event: { id, name, urn: `urn:ticket:${id}`, createdDate: '2026-01-01T00:00:00Z', data, ...extra } });
}

/** Signed headers (plus content-type) for a body, signed with the test secret now. */
export function signed(body: string | Uint8Array, secret = SECRET): Record<string, string> {
  return { ...signPayload(body, secret), 'content-type': 'application/json' };
}

/** POSTs with fetch and a client timeout. */
export async function post(url: string, body: string | Uint8Array, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : Buffer.from(body),
    signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
  });
  const answerHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    answerHeaders[name] = value;
  });
  return { status: response.status, body: await response.text(), headers: answerHeaders };
}

/** POSTs a signed delivery. */
export function deliver(url: string, body: string): Promise<Answer> {
  return post(url, body, signed(body));
}

export interface RawPiece {
  bytes: Uint8Array | string;
  /** Pause before writing this piece, ms (lets the server read what came before as its own chunk). */
  pauseBefore?: number;
}

/**
 * Writes an HTTP/1.1 request over a raw socket in pieces and reads one response. Resolves as soon as a
 * complete response arrived (or the server closed); writes after that are skipped, since the server may
 * answer before the body was sent (413).
 */
export function rawRequest(url: string, pieces: readonly RawPiece[]): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let answered: Answer | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete response within ${CLIENT_TIMEOUT_MS} ms`));
    }, CLIENT_TIMEOUT_MS);
    const done = (answer: Answer | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      if (answer) resolve(answer);
      else reject(new Error(`connection closed without a response; got ${JSON.stringify(received.toString('latin1'))}`));
    };
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      answered = parseResponse(received);
      if (answered) done(answered);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => done(answered ?? parseResponse(received, true)));
    void (async () => {
      await new Promise<void>((ok) => socket.once('connect', () => ok()));
      for (const piece of pieces) {
        if (piece.pauseBefore) await new Promise((ok) => setTimeout(ok, piece.pauseBefore));
        if (answered || socket.destroyed) return;
        socket.write(piece.bytes);
      }
    })();
  });
}

function parseResponse(buffer: Buffer, closed = false): Answer | undefined {
  const end = buffer.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine, ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(statusLine!.split(' ')[1]);
  let body = buffer.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    if (!closed && body.indexOf('0\r\n\r\n') === -1) return undefined;
    body = dechunk(body);
  } else if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (body.length < length) return closed ? { status, headers, body: body.toString('utf8') } : undefined;
    body = body.subarray(0, length);
  } else if (!closed) {
    return undefined;
  }
  return { status, headers, body: body.toString('utf8') };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd === -1) break;
    const size = parseInt(body.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!size) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** The head of a POST request to `url`. */
export function requestHead(url: string, headers: Record<string, string | number>): string {
  const { pathname, host } = new URL(url);
  const lines = [`POST ${pathname} HTTP/1.1`, `host: ${host}`, 'connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
