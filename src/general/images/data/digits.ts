/**
 * The digits data set (`../shared/data/digits`: 1,797 real 8×8 handwritten digits, UCI optdigits test set as
 * shipped with scikit-learn): found like the knowledge graphs ($KGDISTILL_DATA, `<cwd>/data`, `<package
 * root>/../shared/data`, `<cwd>/../shared/data`), checked against its SHA256SUMS, read in place (never copied).
 * Each CSV row holds 64 pixel values 0..16 (row-major) and a label 0..9, no header; pixels are scaled to [0, 1].
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { candidateDirs, looksLikePath } from '../../../kg/resolve-dataset.js';
import { verifyManifest } from '../../../kg/manifest.js';
import { KgInputError, describeFileError } from '../../../kg/errors.js';
import { IMAGE_PIXELS } from '../nets/network.js';

/** A labelled image set: n images of 64 pixels in [0, 1] (row-major) and their labels. */
export interface ImageSet {
  x: Float32Array;
  y: Int32Array;
  n: number;
  classes: number;
}

/** The file that holds the digits. */
export const DIGITS_FILE = 'digits.csv.gz';
const MAX_PIXEL = 16;
const CLASSES = 10;

/** The digits directory for a name or path: the first candidate holding digits.csv.gz, or an error listing them. */
export function resolveDigitsDir(spec = 'digits', cwd = process.cwd()): string {
  const explicit = path.resolve(cwd, spec);
  // a path (absolute, or with a separator) is looked for where it says; a name also in the data roots and the cache
  const named = looksLikePath(spec) ? [] : candidateDirs(spec, cwd);
  const candidates = [...new Set([...(looksLikePath(spec) || (existsSync(explicit) && statSync(explicit).isDirectory()) ? [explicit] : []), ...named])];
  for (const dir of candidates) if (existsSync(path.join(dir, DIGITS_FILE))) return dir;
  throw new KgInputError(spec, undefined, `digits data not found (no ${DIGITS_FILE}); searched:\n  ${candidates.join('\n  ')}`);
}

/** Parses the CSV text of the digits file; a malformed row throws naming its line. */
export function parseDigitsCsv(text: string, file: string): ImageSet {
  const lines = text.split(/\r?\n/);
  const rows: number[][] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const fields = line.split(',');
    if (fields.length !== IMAGE_PIXELS + 1) throw new KgInputError(file, i + 1, `expected ${IMAGE_PIXELS + 1} comma-separated values, found ${fields.length}`);
    const values = fields.map(Number);
    const bad = values.findIndex((v, j) => !Number.isInteger(v) || v < 0 || v > (j < IMAGE_PIXELS ? MAX_PIXEL : CLASSES - 1));
    if (bad >= 0) throw new KgInputError(file, i + 1, `value ${bad + 1} ('${fields[bad]}') is not ${bad < IMAGE_PIXELS ? `a pixel in 0..${MAX_PIXEL}` : `a label in 0..${CLASSES - 1}`}`);
    rows.push(values);
  }
  if (rows.length === 0) throw new KgInputError(file, undefined, 'no rows');
  const n = rows.length;
  const x = new Float32Array(n * IMAGE_PIXELS);
  const y = new Int32Array(n);
  rows.forEach((row, r) => {
    for (let j = 0; j < IMAGE_PIXELS; j++) x[r * IMAGE_PIXELS + j] = row[j]! / MAX_PIXEL;
    y[r] = row[IMAGE_PIXELS]!;
  });
  return { x, y, n, classes: CLASSES };
}

/** Loads and verifies the digits (directory name or path, default `digits`). */
export async function loadDigits(spec = 'digits', options: { cwd?: string; verify?: boolean } = {}): Promise<ImageSet & { dir: string; verified: boolean }> {
  const dir = resolveDigitsDir(spec, options.cwd);
  const manifest = options.verify === false ? { verified: false } : await verifyManifest(dir);
  const file = path.join(dir, DIGITS_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new KgInputError(file, undefined, describeFileError(error), { cause: error });
  }
  let text: string;
  try {
    text = gunzipSync(bytes).toString('utf8');
  } catch (error) {
    const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b; // the format's magic bytes
    throw new KgInputError(file, undefined, `${gzip ? 'a truncated or damaged gzip file' : 'not a gzip file'} (${(error as Error).message})`, { cause: error });
  }
  return { ...parseDigitsCsv(text, file), dir, verified: manifest.verified };
}
