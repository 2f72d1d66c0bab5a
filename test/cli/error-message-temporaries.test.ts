// What the command line prints for a file-system error on a temporary: the staging directory of a new directory
// (`.<name>.tmp-<pid>-XXXXXX`, mkdtemp's) and an atomic write's file are named by the user's path, never the
// temporary's; a temporary refused by an existing directory (ENOENT under /proc) says the directory takes no files.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { errorMessage } from '../../src/cli/error-message.js';

describe('errorMessage of a temporary', () => {
  it("names a new directory's target for its mkdtemp staging name", () => {
    const staging = Object.assign(new Error('EACCES: mkdtemp'), { code: 'EACCES', path: '/r/.gx.tmp-25133-M34Mqv' });
    expect(errorMessage(staging)).toBe('/r/gx: permission denied');
    const atomic = Object.assign(new Error('ENOSPC: write'), { code: 'ENOSPC', path: '/r/best.json.tmp-12-1733500000000001' });
    expect(errorMessage(atomic)).toBe('/r/best.json: no space left on the device');
  });

  it.runIf(existsSync('/proc/self'))('says that /proc takes no new directory instead of naming the temporary', () => {
    let thrown: unknown;
    try {
      mkdtempSync('/proc/.gx.tmp-1-');
    } catch (error) {
      thrown = error;
    }
    expect((thrown as { path?: string }).path).toMatch(/^\/proc\/\.gx\.tmp-1-\w{6}$/);
    expect(errorMessage(thrown)).toBe('/proc: cannot create /proc/gx there: accepts no new files or directories (a special file system such as /proc or /sys?)');
  });

  it('keeps the plain words for a temporary whose directory is gone', () => {
    const gone = path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-tmpnames-')), 'missing');
    expect(errorMessage(Object.assign(new Error('ENOENT'), { code: 'ENOENT', path: path.join(gone, '.sx.tmp-7-aB3dE9') }))).toBe(`${path.join(gone, 'sx')}: no such file or directory`);
  });
});
