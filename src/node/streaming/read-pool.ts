/**
 * Reads of port-forwarded pod connections land in reused buffers. A net.Socket otherwise
 * gets a fresh 64 KiB ArrayBuffer for every read; at hundreds of MB/s that churn of
 * external memory drives V8 into full collections of the whole API server's heap (a
 * quarter of its CPU while forwarding). Here reads go into pooled 1 MiB buffers, and a
 * buffer returns to the pool once the chunk read into it has been written to the client's
 * socket (writeReleasing: the socket's write callback, after which TLS has encrypted or
 * the kernel has copied the bytes). A chunk that never reaches such a write is simply
 * left to the garbage collector, so a forgotten release costs memory churn, never bytes.
 * Small reads are copied out and their buffer reused at once, so a trickle of tiny chunks
 * never pins big buffers.
 *
 * Reads land HEADROOM bytes into their buffer, so the layers above can write their frame
 * headers (SPDY DATA, WebSocket) in front of a chunk (prependHeader) and hand the TLS socket
 * one contiguous buffer: given several, Node's TLSWrap first copies them into a new one
 * (a fresh allocation and copy per write, ~8% of the server's CPU while forwarding).
 *
 * 1 MiB rather than 256 KiB: what a chunk costs in JS (stream callbacks, frames, one TLS
 * write) does not depend on its size, and was a fifth of the server's CPU at 256 KiB;
 * 1 MiB reads cut the server's CPU per 100 MB by ~15% (2 MiB by little more).
 */
import { Socket, type OnReadOpts } from 'node:net';
import type { Writable } from 'node:stream';

const SIZE = 1024 * 1024;
/** Room for an 8-byte SPDY DATA header plus a WebSocket header (at most 10 bytes). */
const HEADROOM = 32;
/** Free buffers kept between reads (shared by every connection): 4 MiB at most. */
const KEEP = 4;
const COPY_BELOW = 32 * 1024;

/** Free read areas: views past the headroom of buffers of their own. */
const free: Buffer[] = [];
/** Chunks handed out → the read area they live in, and the free bytes still in front of them. */
const lent = new WeakMap<Buffer, { area: Buffer; room: number }>();

const take = (): Buffer => free.pop() ?? Buffer.allocUnsafeSlow(HEADROOM + SIZE).subarray(HEADROOM);
const give = (b: Buffer): void => { if (free.length < KEEP) free.push(b); };

/** Free buffers in the pool, and how many it keeps at most (tests). */
export const POOL_KEEP = KEEP;
export const pooledFree = (): number => free.length;

/**
 * `onread` options that push each read into `socket()` as a chunk lent from the pool
 * (the socket stays an ordinary Readable; pause() stops reading at once).
 */
export function pooledOnread(socket: () => Socket): OnReadOpts {
  return {
    buffer: take,
    callback: (n, buf) => {
      let chunk: Buffer;
      if (n < COPY_BELOW) {
        chunk = Buffer.from(buf.subarray(0, n)); // copied: the pool buffer is free again
        give(buf as Buffer);
      } else {
        chunk = (buf as Buffer).subarray(0, n);
        lent.set(chunk, { area: buf as Buffer, room: HEADROOM });
      }
      return socket().push(chunk);
    },
  };
}

/** A socket over an existing handle (e.g. one received over IPC) whose reads are pooled. */
export function pooledSocket(handle: unknown, o: { allowHalfOpen?: boolean } = {}): Socket {
  let s: Socket | undefined;
  // `handle` is how Node's child_process and cluster wrap received handles themselves.
  s = new Socket({ handle, readable: true, writable: true, allowHalfOpen: o.allowHalfOpen, onread: pooledOnread(() => s!) } as ConstructorParameters<typeof Socket>[0]);
  return s;
}

/**
 * Writes `chunk` to `socket` — the connection to the client itself, never a stream in
 * front of it — and returns a chunk lent from the pool once the socket has written it.
 */
export function writeReleasing(socket: Writable, chunk: Buffer, cb?: (err?: Error | null) => void): boolean {
  const l = lent.get(chunk);
  if (!l) return cb ? socket.write(chunk, cb) : socket.write(chunk);
  lent.delete(chunk);
  return socket.write(chunk, err => { give(l.area); cb?.(err); });
}

/** Returns a chunk's buffer to the pool after its bytes were copied elsewhere. */
export function releaseCopied(chunk: Buffer): void {
  const l = lent.get(chunk);
  if (!l) return;
  lent.delete(chunk);
  give(l.area);
}

/** Whether `chunk` was lent from the pool (and so has room for headers in front of it). */
export const isPooled = (chunk: Buffer): boolean => lent.has(chunk);

/**
 * `header` and `chunk` as one buffer, the header written into the free room in front of a
 * chunk lent from the pool (which the result then stands for); undefined when `chunk` is
 * not such a chunk or the room is too small: the caller sends the two as they are.
 */
export function prependHeader(header: Buffer, chunk: Buffer): Buffer | undefined {
  const l = lent.get(chunk);
  if (!l || l.room < header.length) return undefined;
  const whole = Buffer.from(chunk.buffer, chunk.byteOffset - header.length, header.length + chunk.length);
  header.copy(whole);
  lent.delete(chunk);
  lent.set(whole, { area: l.area, room: l.room - header.length });
  return whole;
}
