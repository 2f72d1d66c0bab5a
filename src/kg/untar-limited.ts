/**
 * Unpacking the wanted members of a (gzipped) tar archive into memory within size limits, so that a crafted
 * archive (a member of gigabytes of zeros: a "gzip bomb") fails with a clear message instead of exhausting
 * memory. The archive is inflated as a stream, a slice at a time: members that are not wanted are passed over
 * without being kept, a wanted member larger than `entryBytes` (told by its header) is refused before it is
 * inflated, and the whole stream stops once it has inflated `inflatedBytes`. Only gzip and plain tar are read.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { byteLimitText, DEFAULT_FETCH_LIMITS, thousands, type FetchLimits } from './fetch-limits.js';

/** An archive over a size limit; the message says which member or the whole, and the limit. */
export class ArchiveLimitError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveLimitError';
  }
}

/** Compressed input fed to the inflater per step (at most about 1,000× this comes out of one step). */
const SLICE_BYTES = 16 * 1024;

/** Whether `data` starts with `magic`. */
function startsWith(data: Buffer, magic: readonly number[]): boolean {
  return magic.every((byte, i) => data[i] === byte);
}
const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** The archive's bytes as a stream of plain tar: inflated when gzipped, else as it is, in slices. */
function tarStream(archive: Buffer): Readable {
  const slices = function* (): Generator<Buffer> {
    for (let at = 0; at < archive.length; at += SLICE_BYTES) yield archive.subarray(at, at + SLICE_BYTES);
  };
  const source = Readable.from(slices(), { objectMode: false, highWaterMark: SLICE_BYTES });
  if (!startsWith(archive, GZIP_MAGIC)) return source;
  const gunzip = createGunzip();
  source.on('error', (error) => gunzip.destroy(error));
  return source.pipe(gunzip);
}

/**
 * Unpacks the named regular files of a (gzipped) tar archive into memory; a corrupt or truncated archive throws
 * its error, one over a limit an {@link ArchiveLimitError}. A later member of the same name replaces an earlier one.
 */
export async function untarFiles(archive: Buffer, wanted: readonly string[], limits: Pick<FetchLimits, 'entryBytes' | 'inflatedBytes'> = DEFAULT_FETCH_LIMITS): Promise<Map<string, Buffer>> {
  if (startsWith(archive, ZSTD_MAGIC)) throw new Error('compressed with zstd; expected a tar.gz archive');
  const files = new Map<string, Buffer>();
  let failure: Error | undefined;
  const fail = (error: Error): void => {
    failure ??= error;
  };
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const name = entry.path.replace(/^(\.\/)+/, '');
      if (entry.type !== 'File' || !wanted.includes(name) || failure) {
        entry.resume();
        return;
      }
      if (entry.size > limits.entryBytes) {
        fail(new ArchiveLimitError(`${name} is ${thousands(entry.size)} bytes unpacked, more than the limit of ${byteLimitText(limits.entryBytes)} per file (not the expected archive?)`));
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => files.set(name, Buffer.concat(chunks)));
    },
  });
  const closed = new Promise<void>((resolve) => {
    parser.on('error', (error: Error) => {
      fail(error);
      resolve();
    });
    parser.on('close', () => resolve());
  });
  const stream = tarStream(archive);
  let inflated = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (inflated === 0 && (startsWith(chunk, GZIP_MAGIC) || startsWith(chunk, ZSTD_MAGIC))) throw new Error('compressed twice; expected a tar.gz archive');
      inflated += chunk.length;
      if (inflated > limits.inflatedBytes) {
        throw new ArchiveLimitError(`inflates to more than the limit of ${byteLimitText(limits.inflatedBytes)} (not the expected archive, or a decompression bomb?)`);
      }
      parser.write(chunk);
      if (failure) break;
    }
  } catch (error) {
    fail(error as Error);
  } finally {
    stream.destroy();
  }
  if (failure) {
    parser.abort(failure);
    throw failure;
  }
  parser.end();
  await closed;
  if (failure) throw failure;
  return files;
}
