/**
 * Child process for the kill -9 test: writes in a burst from 16 async loops and prints
 * `key value` for every write whose promise resolved (= acknowledged). Runs until killed.
 * Usage: node writer-child.js <db path>
 */
import { openSqliteStore } from '../../src/store/index.js';

const store = await openSqliteStore(process.argv[2], { compactInterval: 0 });
process.stdout.write('ready\n');
await Promise.all(Array.from({ length: 16 }, async (_, w) => {
  for (let i = 0; ; i++) {
    const key = `/crash/w${w}/k${i}`;
    const kv = await store.create(key, Buffer.from(`v${i}`));
    process.stdout.write(`${key} v${i}\n`);
    if (i % 3 === 0) {
      await store.update(key, Buffer.from(`u${i}`), kv.modRevision);
      process.stdout.write(`${key} u${i}\n`);
    }
  }
}));
