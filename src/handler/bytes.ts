/**
 * A body received in chunks, copied as it arrives into one growing array (capacity doubles, so every byte
 * is copied about twice at most). Keeping the chunks themselves instead cost one object per chunk: a
 * chunked request of one-byte chunks (6 bytes on the wire each) held about 200 bytes of heap per body
 * byte, over 1 GB for a 5 MiB body, before any signature was checked. The copy also makes the bytes the
 * caller's: a chunk changed, reused or detached after it was written changes nothing here.
 */
export class ByteAccumulator {
  #bytes = new Uint8Array(0);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** Appends a copy of `chunk`. */
  push(chunk: Uint8Array): void {
    const needed = this.#length + chunk.byteLength;
    if (needed > this.#bytes.byteLength) {
      // The first chunk gets exactly its size (a body that arrives in one piece is copied once).
      const capacity = this.#length === 0 ? needed : Math.max(needed, 2 * this.#bytes.byteLength, 16 * 1024);
      const grown = new Uint8Array(capacity);
      grown.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = grown;
    }
    this.#bytes.set(chunk, this.#length);
    this.#length = needed;
  }

  /** The bytes from `start` up to now, as a view (no copy). */
  view(start = 0): Uint8Array {
    return this.#bytes.subarray(start, this.#length);
  }
}
