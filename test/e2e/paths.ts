/** Where ../shared lives relative to the repository (CI clones with ../shared beside it). */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root (compiled tests live in dist/test/...). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SHARED = join(REPO_ROOT, '..', 'shared');
