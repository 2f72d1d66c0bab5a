// No packed JavaScript file points to a source map the package does not hold. The package ships no maps (`files`
// leaves out dist/**/*.map; tsconfig.json emits none), so a `//# sourceMappingURL=x.js.map` comment would point
// nowhere, and bundlers (Vite, webpack's source-map-loader) warn about each such file. Needs a build (`npm run build`):
// a dist/ built before `sourceMap: false` still carries the comments until it is built again.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** The URL of a file's source map comment (its last `//# sourceMappingURL=`), or undefined when it has none. */
function sourceMapUrlOf(text: string): string | undefined {
  return /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
}

describe('the packed package', () => {
  it('recognises a source map comment (the check below can fail)', () => {
    expect(sourceMapUrlOf('export {};\n//# sourceMappingURL=index.js.map')).toBe('index.js.map');
    expect(sourceMapUrlOf('export {};\n//# sourceMappingURL=index.js.map\n')).toBe('index.js.map');
    expect(sourceMapUrlOf('export const a = 1;\n')).toBeUndefined();
  });

  it('has no source map comment without its map in the package', () => {
    const listing = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' })) as Array<{ files: Array<{ path: string }> }>;
    const packed = new Set(listing[0]!.files.map((f) => f.path));
    const scripts = [...packed].filter((file) => file.endsWith('.js'));
    expect(scripts).toContain('dist/src/index.js');
    expect(scripts).toContain('dist/src/cli/main.js');
    expect(scripts.length).toBeGreaterThan(100);
    const dangling = scripts.flatMap((file) => {
      const url = sourceMapUrlOf(readFileSync(path.join(root, file), 'utf8'));
      if (url === undefined || url.startsWith('data:')) return [];
      return packed.has(path.posix.join(path.posix.dirname(file), url)) ? [] : [`${file} → ${url}`];
    });
    expect(dangling.slice(0, 5)).toEqual([]);
    expect(dangling).toHaveLength(0);
  }, 60_000);
});
