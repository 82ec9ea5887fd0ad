import { readFileSync } from 'node:fs';

export interface Vector {
  name: string;
  description: string;
  secret?: string;
  secret_hex?: string;
  secrets?: string[];
  body_base64: string;
  body_utf8?: string;
  headers: Record<string, string | string[]>;
  options: Record<string, unknown>;
  now_ms: number;
  expect: { valid: boolean; reason?: string };
}

export const vectors: Vector[] = JSON.parse(
  readFileSync(new URL('../fixtures/signatures.json', import.meta.url), 'utf8'),
).vectors;

export type SecretInput = string | Uint8Array | string[];

export function secretOf(v: Vector): SecretInput {
  if (v.secrets) return v.secrets;
  if (v.secret_hex) return new Uint8Array(Buffer.from(v.secret_hex, 'hex'));
  return v.secret!;
}

/** Every form the raw body can take; a string form only where the bytes are valid UTF-8. */
export function bodyForms(v: Vector): Array<[string, Uint8Array | ArrayBuffer | string]> {
  const bytes = Buffer.from(v.body_base64, 'base64');
  const forms: Array<[string, Uint8Array | ArrayBuffer | string]> = [
    ['Buffer', bytes],
    ['Uint8Array', new Uint8Array(bytes)],
    ['ArrayBuffer', bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)],
  ];
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (Buffer.from(text, 'utf8').equals(bytes)) forms.push(['string', text]);
  return forms;
}

/** Header shapes a host may hand over: the vector's plain object, a Fetch Headers, and a Map. */
export function headerForms(v: Vector): Array<[string, unknown]> {
  const fetchHeaders = new Headers();
  for (const [k, value] of Object.entries(v.headers)) {
    for (const one of Array.isArray(value) ? value : [value]) fetchHeaders.append(k, one);
  }
  return [
    ['object', v.headers],
    ['Headers', fetchHeaders],
    ['Map', new Map(Object.entries(v.headers))],
  ];
}
