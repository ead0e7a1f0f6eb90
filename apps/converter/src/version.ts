/** The CLI's version: this package's own, read from its package.json (beside `src/` and `dist/`). */
import { readFileSync } from 'node:fs';

export const CLI_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
