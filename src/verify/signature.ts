import { headerEntries } from './headers.js';

/** The signature header's entries: the well-formed ones decoded to 32 bytes, and whether any was not. */
export interface ParsedSignatures {
  readonly digests: Uint8Array[];
  readonly anyMalformed: boolean;
}

const HEX_64 = /^[0-9a-fA-F]{64}$/;

/**
 * Parses the comma-separated (or repeated) signature entries. Each entry is checked against
 * `/^[0-9a-fA-F]{64}$/` before decoding, because lenient hex decoders stop at the first bad character
 * and would compare a truncated digest.
 */
export function parseSignatures(values: readonly string[]): ParsedSignatures | 'missing_signature' {
  const entries = headerEntries(values);
  if (entries.length === 0) return 'missing_signature';
  const digests: Uint8Array[] = [];
  let anyMalformed = false;
  for (const entry of entries) {
    if (HEX_64.test(entry)) digests.push(decodeHex(entry));
    else anyMalformed = true;
  }
  return { digests, anyMalformed };
}

/** Decodes 64 validated hex digits to 32 bytes without depending on `Buffer`. */
function decodeHex(hex: string): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1));
  return out;
}

function nibble(code: number): number {
  // '0'-'9' -> 0-9, 'A'-'F' and 'a'-'f' -> 10-15; the input was validated.
  return code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x57;
}
