/**
 * A pass-through stream that checks its bytes are strict UTF-8 as they go by, line by line, with the error of the line
 * reader (line-source.ts) naming the line of the first bad byte. The CSV reader pipes a file through it into csv-parse
 * (which would replace bad bytes silently), so a file is read once, and a reader that stops early (the validation
 * probe of dataset.ts stops at the first triple) reads about one chunk past what it parsed. A line longer than
 * `maxLineBytes` is refused as the line readers refuse it.
 */
import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { LineBlocks } from './line-blocks.js';
import { MAX_LINE_BYTES } from './name-limits.js';
import { notUtf8Error, type LineEnd } from './utf8.js';

/** The stream for `file` (its error names it), whose lines end with `lineEnd`, from the start of line `firstLine`. */
export function utf8CheckStream(file: string, lineEnd: LineEnd = '\n', maxLineBytes = MAX_LINE_BYTES, firstLine = 1): Transform {
  const endByte = lineEnd.charCodeAt(0);
  // a block is checked once its last line's end comes (a character may straddle two chunks)
  const blocks = new LineBlocks(file, endByte, maxLineBytes);
  let line = firstLine; // the line the next block starts
  /** Checks a block of whole lines (they start at `line`) and counts them. */
  const check = (bytes: Buffer): void => {
    if (!isUtf8(bytes)) throw notUtf8Error(file, bytes, line, true, lineEnd);
    for (let at = bytes.indexOf(endByte); at >= 0; at = bytes.indexOf(endByte, at + 1)) line++;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
      try {
        const block = blocks.push(chunk, line);
        if (block !== undefined) {
          check(block);
          blocks.refuseLongLine(line); // `line`: the unfinished one
        }
        done(null, chunk);
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done: TransformCallback): void {
      try {
        check(blocks.push(Buffer.alloc(0), line, true)!); // the last line, without a line end
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}
