/**
 * The protobuf wire format, read-only: varints, fixed 32/64-bit values and length-delimited
 * fields. Faults throw {@link WireError}; the decoder adds the field path and turns it into
 * a 400 BadRequest.
 */

/** Wire types Kubernetes uses (3 and 4, groups, never appear). */
export const WireType = { Varint: 0, Fixed64: 1, Bytes: 2, Fixed32: 5 } as const;
export type WireType = number;

/** A malformed or truncated encoding, found at byte offset `offset` of the buffer being read. */
export class WireError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'WireError';
  }
}

export class Reader {
  readonly #buf: Uint8Array;
  readonly #end: number;
  #pos: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.#buf = buf;
    this.#pos = start;
    this.#end = end;
  }

  get done(): boolean { return this.#pos >= this.#end; }
  get offset(): number { return this.#pos; }

  /** Field number and wire type of the next field. */
  tag(): { field: number; wireType: WireType } {
    const at = this.#pos;
    const key = this.#smallVarint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 0) throw new WireError('field number 0', at);
    if (wireType > 5) throw new WireError(`invalid wire type ${wireType}`, at);
    return { field, wireType };
  }

  /** A full 64-bit varint (int64 and negative int32 values take 10 bytes). */
  varint(): bigint {
    const at = this.#pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.#pos >= this.#end) throw new WireError('truncated varint', at);
      const b = this.#buf[this.#pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new WireError('varint longer than 10 bytes', at);
  }

  /** Contents of a length-delimited field (a view, not a copy). */
  bytes(): Uint8Array {
    const at = this.#pos;
    const len = this.#smallVarint();
    if (len > this.#end - this.#pos) {
      throw new WireError(`truncated field: length ${len} but ${this.#end - this.#pos} bytes left`, at);
    }
    const out = this.#buf.subarray(this.#pos, this.#pos + len);
    this.#pos += len;
    return out;
  }

  fixed(size: 4 | 8): DataView {
    if (size > this.#end - this.#pos) throw new WireError(`truncated ${size * 8}-bit value`, this.#pos);
    const view = new DataView(this.#buf.buffer, this.#buf.byteOffset + this.#pos, size);
    this.#pos += size;
    return view;
  }

  /** Skips a field we have no schema for (Go's generated Unmarshal does the same). */
  skip(wireType: WireType): void {
    switch (wireType) {
      case WireType.Varint: this.varint(); return;
      case WireType.Fixed64: this.fixed(8); return;
      case WireType.Fixed32: this.fixed(4); return;
      case WireType.Bytes: this.bytes(); return;
      default: throw new WireError('groups are not used by Kubernetes and not supported', this.#pos);
    }
  }

  /** Varints that must fit in 32 bits unsigned (tags, lengths). */
  #smallVarint(): number {
    const at = this.#pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      if (this.#pos >= this.#end) throw new WireError('truncated varint', at);
      const b = this.#buf[this.#pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (result > 0xffffffff) break;
        return result;
      }
      mul *= 128;
    }
    throw new WireError('varint too large for a tag or length', at);
  }
}
