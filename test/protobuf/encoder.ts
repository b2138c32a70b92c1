// Test-only protobuf writer: builds messages from [fieldNumber, value] pairs so tests can
// spell out bodies field by field. A value that is a list of pairs is a nested message;
// repeat a pair for a repeated field; a map entry is a nested message [[1, key], [2, value]].

export type Value = string | number | bigint | boolean | Uint8Array | Field[];
export type Field = readonly [number, Value];

const MAGIC = Uint8Array.from([0x6b, 0x38, 0x73, 0x00]);

export function varint(v: number | bigint): number[] {
  let n = BigInt.asUintN(64, BigInt(v)); // negatives: 64-bit two's complement, 10 bytes
  const out: number[] = [];
  do {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    out.push(n ? b | 0x80 : b);
  } while (n);
  return out;
}

function key(no: number, wireType: number): number[] {
  return varint(no * 8 + wireType);
}

function lengthDelimited(no: number, body: Uint8Array): number[] {
  return [...key(no, 2), ...varint(body.length), ...body];
}

/** Encodes one message. */
export function msg(...fields: Field[]): Uint8Array {
  const out: number[] = [];
  for (const [no, v] of fields) {
    if (typeof v === 'string') out.push(...lengthDelimited(no, new TextEncoder().encode(v)));
    else if (v instanceof Uint8Array) out.push(...lengthDelimited(no, v));
    else if (Array.isArray(v)) out.push(...lengthDelimited(no, msg(...v)));
    else if (typeof v === 'boolean') out.push(...key(no, 0), v ? 1 : 0);
    else out.push(...key(no, 0), ...varint(v as number | bigint));
  }
  return Uint8Array.from(out);
}

/** A packed repeated varint field's body. */
export function packed(values: Array<number | bigint>): Uint8Array {
  return Uint8Array.from(values.flatMap(v => varint(v)));
}

/** Magic + runtime.Unknown {1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType}. */
export function envelope(apiVersion: string, kind: string, raw: Uint8Array, extra: Field[] = []): Buffer {
  return Buffer.concat([MAGIC, msg([1, [[1, apiVersion], [2, kind]]], [2, raw], ...extra)]);
}

/** ObjectMeta {1 name, 3 namespace, 11 labels} as kubectl writes it, empty strings included. */
export function objectMeta(name: string, namespace = '', labels: Record<string, string> = {}): Field[] {
  return [
    [1, name], [2, ''], [3, namespace], [4, ''], [5, ''], [6, ''], [7, 0],
    [8, []], // creationTimestamp: the zero Time encodes as an empty message
    ...Object.entries(labels).map(([k, v]): Field => [11, [[1, k], [2, v]]]),
  ];
}
