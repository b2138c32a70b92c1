/** Structured logs: one JSON line per event, or a short human line on a terminal. */
type Fields = Record<string, unknown>;

/** Human lines: on a terminal unless KUBELING_LOG_FORMAT=json; always with =human (a worker thread's stderr is no terminal). */
export const humanLogs = process.env.KUBELING_LOG_FORMAT === 'human' || (!!process.stderr.isTTY && process.env.KUBELING_LOG_FORMAT !== 'json');
const human = humanLogs;

function write(level: string, msg: string, fields: Fields = {}): void {
  if (human) {
    const extra = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
    process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${msg}${extra ? ' ' + extra : ''}\n`);
  } else {
    process.stderr.write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }) + '\n');
  }
}

export const log = {
  info: (msg: string, f?: Fields) => write('info', msg, f),
  warn: (msg: string, f?: Fields) => write('warn', msg, f),
  error: (msg: string, f?: Fields) => write('error', msg, f),
};
