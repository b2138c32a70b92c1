/**
 * The client's logging seam. The CLI passes its structured logger; the default writes
 * warnings and errors as JSON lines to stderr (the client never imports the CLI room).
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const line = (level: string, msg: string, fields?: LogFields) =>
  process.stderr.write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }) + '\n');

export const defaultLogger: Logger = {
  info: () => {},
  warn: (msg, f) => line('warn', msg, f),
  error: (msg, f) => line('error', msg, f),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

export function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
