import { hasContent, headerEntries } from './headers.js';

/** The signature header's entries: the well-formed ones decoded to 32 bytes, and whether any was not. */
export interface ParsedSignatures {
  readonly digests: Uint8Array[];
  readonly anyMalformed: boolean;
}

/**
 * Parses the comma-separated (or repeated) signature entries. Each entry must be exactly 64 hex digits
 * (`/^[0-9a-fA-F]{64}$/`), checked before anything is kept, because lenient hex decoders stop at the first
 * bad character and would compare a truncated digest.
 */
export function parseSignatures(values: readonly string[]): ParsedSignatures | 'missing_signature' {
  const entries = headerEntries(values);
  // Only commas and blanks is not an empty header: something sent it, and it is not a signature.
  if (entries.length === 0) return hasContent(values) ? { digests: [], anyMalformed: true } : 'missing_signature';
  if (entries.length === 1) {
    // The usual case: one signature, and no growable list.
    const digest = decodeHex64(entries[0] as string);
    return digest === undefined ? { digests: [], anyMalformed: true } : { digests: [digest], anyMalformed: false };
  }
  const digests: Uint8Array[] = [];
  let anyMalformed = false;
  for (const entry of entries) {
    const digest = decodeHex64(entry);
    if (digest === undefined) anyMalformed = true;
    else digests.push(digest);
  }
  return { digests, anyMalformed };
}

/**
 * Validates and decodes in one pass (no regular expression, no `Buffer`, so both backends share it):
 * 32 bytes when `text` is exactly 64 hex digits, otherwise `undefined`.
 */
function decodeHex64(text: string): Uint8Array | undefined {
  if (text.length !== 64) return undefined;
  const out = digestView();
  for (let i = 0; i < 32; i++) {
    const highCode = text.charCodeAt(2 * i);
    const lowCode = text.charCodeAt(2 * i + 1);
    if ((highCode | lowCode) > 0x7f) return undefined;
    const high = HEX_VALUE[highCode] as number;
    const low = HEX_VALUE[lowCode] as number;
    if ((high | low) < 0) return undefined;
    out[i] = (high << 4) | low;
  }
  return out;
}

/** ASCII code -> hex digit value ('0'-'9', 'A'-'F', 'a'-'f'), or -1. */
const HEX_VALUE = hexTable();

function hexTable(): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 16; i++) {
    table['0123456789abcdef'.charCodeAt(i)] = i;
    table['0123456789ABCDEF'.charCodeAt(i)] = i;
  }
  return table;
}

// Digests are carved out of a shared slab, as Node's Buffer pool does: a view costs one small object,
// where `new Uint8Array(32)` also allocates an ArrayBuffer, and verification runs on every request. A view
// is written once, here, before anyone sees it, so verifications running concurrently never share bytes.
const SLAB_BYTES = 8192;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

function digestView(): Uint8Array {
  if (slabUsed + 32 > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const view = new Uint8Array(slab, slabUsed, 32);
  slabUsed += 32;
  return view;
}
