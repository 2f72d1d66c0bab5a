// What the command line prints for an error: Node's file-system errors become the user's path and plain words (the
// target of an atomic write, not its temporary); every other error keeps its own message.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { errorMessage } from '../../src/cli/error-message.js';

/** The error a file-system call throws. */
function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('the call did not throw');
}

describe('errorMessage', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kgdistill-errors-'));
  const file = path.join(dir, 'afile');
  writeFileSync(file, 'x');

  it('names the path and says what is wrong with it in plain words', () => {
    expect(errorMessage(thrownBy(() => readdirSync(file)))).toBe(`${file}: a part of this path is a file where a directory is needed`);
    expect(errorMessage(thrownBy(() => readFileSync(path.join(dir, 'missing'))))).toBe(`${path.join(dir, 'missing')}: no such file or directory`);
    expect(errorMessage(thrownBy(() => writeFileSync(dir, 'x')))).toBe(`${dir}: is a directory where a file is needed`);
  });

  it("names an atomic write's target, not its temporary file", () => {
    const temporary = Object.assign(new Error('EISDIR: rename'), { code: 'EISDIR', path: '/r/.curves.svg.tmp-12-3', dest: undefined });
    expect(errorMessage(temporary)).toBe('/r/curves.svg: is a directory where a file is needed');
    expect(errorMessage(Object.assign(new Error('x'), { code: 'EACCES', path: '/r/exp.20240501' }))).toBe('/r/exp.20240501: permission denied'); // not a temporary
    expect(errorMessage(Object.assign(new Error('x'), { code: 'EISDIR', path: '/r/tmp', dest: '/r/out.svg' }))).toBe('/r/out.svg: is a directory where a file is needed');
  });

  it('keeps every other message as it is', () => {
    expect(errorMessage(new Error('--dim must be a positive integer'))).toBe('--dim must be a positive integer');
    expect(errorMessage(Object.assign(new Error('odd'), { code: 'ERR_SOMETHING', path: '/x' }))).toBe('odd');
    expect(errorMessage('plain')).toBe('plain');
  });
});
