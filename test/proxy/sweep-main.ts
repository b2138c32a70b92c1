/**
 * TEST ONLY — `node sweep-main.js RECORD...`: removes what the given run records name
 * (sweep.ts runs it synchronously from exit and signal handlers, where nothing async can run).
 */
import { readFileSync } from 'node:fs';
import { sweepRecord, type RunEntry } from './sweep.js';

for (const file of process.argv.slice(2)) {
  try {
    await sweepRecord(JSON.parse(readFileSync(file, 'utf8')) as RunEntry);
  } catch (e) {
    console.error(`sweep of ${file} failed: ${(e as Error).message}`);
  }
}
