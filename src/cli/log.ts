/** Structured logs: one JSON line per event, or a short human line on a terminal. */
type Fields = Record<string, unknown>;

const human = process.stderr.isTTY && process.env.KUBELING_LOG_FORMAT !== 'json';

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
