/** Finding the installed kgdistill package's root directory (where package.json and `data/` are). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null | undefined;

/** Directory holding kgdistill's package.json, found by walking up from this module; undefined if none. */
export function packageRoot(): string | undefined {
  if (cached !== undefined) return cached ?? undefined;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'kgdistill') {
          cached = dir;
          return dir;
        }
      } catch {
        // unreadable package.json: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      cached = null;
      return undefined;
    }
    dir = parent;
  }
}

/** True when `dir` lies inside a `node_modules` directory (an installed package, not a clone of the repository). */
export function insideNodeModules(dir: string): boolean {
  return path.resolve(dir).split(path.sep).includes('node_modules');
}

/** The version in kgdistill's package.json ('0.0.0' when it cannot be read). */
export function packageVersion(): string {
  const root = packageRoot();
  if (!root) return '0.0.0';
  try {
    const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
