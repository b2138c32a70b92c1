/** Small HTTP helpers shared by the handlers: bodies, JSON answers, Status errors. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KubelingError, InternalError, RequestEntityTooLargeError, type Status } from '../api/errors.js';

/** Upstream's limit for request bodies (3 MiB), plus slack for encoding overhead. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(new RequestEntityTooLargeError(`the request body is too large: limit is ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new RequestEntityTooLargeError(`the request body is too large: limit is ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => { if (!failed) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)); });
    req.on('error', e => { if (!failed) { failed = true; reject(e); } });
  });
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

export function errorStatus(err: unknown): Status {
  if (err instanceof KubelingError) return err.toStatus();
  const e = err as Error;
  return new InternalError(`Internal error occurred: ${e?.message ?? String(err)}`).toStatus();
}

export function sendError(res: ServerResponse, err: unknown): void {
  const st = errorStatus(err);
  if (res.headersSent) { res.destroy(); return; }
  sendJson(res, st.code, st);
}

/** Adds a `Warning: 299 - "text"` header, which kubectl prints. */
export function addWarning(res: ServerResponse, text: string): void {
  const prev = res.getHeader('Warning');
  const v = `299 - ${JSON.stringify(text)}`;
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev : [String(prev)];
  res.setHeader('Warning', [...list, v]);
}

/** What representation the client accepts: a Table, or plain JSON. */
export function wantsTable(req: IncomingMessage): boolean {
  const a = req.headers.accept ?? '';
  return a.includes('as=Table');
}

export function wantsDiscoveryV2(req: IncomingMessage): boolean {
  const a = req.headers.accept ?? '';
  return a.includes('as=APIGroupDiscoveryList');
}
