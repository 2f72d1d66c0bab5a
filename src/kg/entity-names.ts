/**
 * Optional human-readable entity names of a dataset, from `entity_names.tsv` (`id<TAB>name`, one a line).
 * Freebase ids such as `/m/027rn` become "Egypt"; WordNet ids such as `00001740` become `breathe.v.01`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isUtf8 } from 'node:buffer';
import { KgInputError, describeFileError } from './errors.js';
import { notUtf8Error, type TextEncodingName } from './line-source.js';

/** File name of the entity-name table in a dataset directory. */
export const ENTITY_NAMES_FILE = 'entity_names.tsv';

/** Parses `id<TAB>name` lines (blank and `#` lines skipped; the first name of a repeated id is kept). */
export function parseEntityNames(text: string, file: string): Map<string, string> {
  const names = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    const tab = line.indexOf('\t');
    if (tab < 0) throw new KgInputError(file, i + 1, 'expected 2 tab-separated fields (id, name), found 1');
    const id = line.slice(0, tab).trim();
    const name = line.slice(tab + 1).trim();
    if (id === '') throw new KgInputError(file, i + 1, 'empty id field (field 1 of 2)');
    if (name === '') throw new KgInputError(file, i + 1, 'empty name field (field 2 of 2)');
    if (!names.has(id)) names.set(id, name);
  }
  return names;
}

/**
 * Loads `dir/entity_names.tsv` into a map id → name, in `encoding` as the triple files (strict UTF-8 by default: a
 * bad byte is an error naming its line, as theirs); undefined when the file does not exist.
 */
export async function loadEntityNames(dir: string, encoding: TextEncodingName = 'utf8'): Promise<Map<string, string> | undefined> {
  const file = path.join(dir, ENTITY_NAMES_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KgInputError(file, undefined, describeFileError(error), { cause: error });
  }
  if (encoding === 'utf8' && !isUtf8(bytes)) throw notUtf8Error(file, bytes, 1);
  return parseEntityNames(bytes.toString(encoding), file);
}
