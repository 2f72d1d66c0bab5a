// `serve --api-key-file` that cannot be read says so in the project's plain words for file errors, naming the flag
// and the file (never Node's `ENOENT: no such file or directory, open '…'`).
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveApiKey } from '../../src/serve/auth.js';

describe('--api-key-file errors', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kgdistill-keyfile-'));

  it('names the flag and the file, in plain words', () => {
    const missing = path.join(dir, 'nope');
    expect(() => resolveApiKey({ file: missing })).toThrow(new Error(`--api-key-file ${missing}: file not found`));
    expect(() => resolveApiKey({ file: dir })).toThrow(new Error(`--api-key-file ${dir}: is a directory, expected a file`));
  });
});
