// Test helpers: small triple files and dataset directories in a fresh temporary directory.
import { afterAll, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KgInputError } from '../../src/kg/errors.js';

const createdDirs: string[] = [];
// Registered on the importing test file's root suite (test workers are not always allowed a clean 'exit').
afterAll(() => {
  for (const dir of createdDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh empty temporary directory, removed after the test file's tests. */
export function tempDir(prefix = 'kgdistill-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  createdDirs.push(dir);
  return dir;
}

/** Writes `files` (name → content) into `dir` (created if needed) and returns `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** Writes one file with `content` into a new temporary directory and returns its path. */
export function tripleFile(content: string, name = 'train.txt'): string {
  return path.join(writeFiles(tempDir(), { [name]: content }), name);
}

/** The KgInputError a promise rejects with; fails the test when it resolves or rejects with something else. */
export async function kgErrorOf(promise: Promise<unknown>): Promise<KgInputError> {
  const outcome = await promise.then(
    () => new Error('expected a KgInputError, but the call succeeded'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof KgInputError)) throw outcome instanceof Error ? outcome : new Error(String(outcome));
  return outcome;
}

/** Points XDG_CACHE_HOME at a fresh temporary directory for this test file, so checksums are really computed. */
export function usePrivateManifestCache(): void {
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = tempDir('kgdistill-cache-');
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  });
}

/** `lines` triples each naming two new entities (`e2i r(i mod 3) e2i+1`, i from `from`), fields joined by `sep`, after `heading`. */
export function entityPairs(lines: number, { from = 0, sep = '\t', heading = '' }: { from?: number; sep?: string; heading?: string } = {}): string {
  let text = heading;
  for (let i = from; i < from + lines; i++) text += `e${2 * i}${sep}r${i % 3}${sep}e${2 * i + 1}\n`;
  return text;
}
