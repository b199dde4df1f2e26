import { readFileSync } from 'fs';
import { join } from 'path';

/**
 * Sentinel's version from package.json (two levels up from both src/audit and dist/audit):
 * reports name the version that produced them instead of the time they were produced.
 */
export function sentinelVersion(): string {
  const path = join(__dirname, '..', '..', 'package.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}
