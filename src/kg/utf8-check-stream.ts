/**
 * A pass-through stream that checks its bytes are strict UTF-8 as they go by, line by line, with the error of the line
 * reader (line-source.ts) naming the line of the first bad byte. The CSV reader pipes a file through it into csv-parse
 * (which would replace bad bytes silently), so a file is read once, and a reader that stops early (the validation
 * probe of dataset.ts stops at the first triple) reads about one chunk past what it parsed. A line longer than
 * `maxLineBytes` is refused as the line readers refuse it.
 */
import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { KgInputError } from './errors.js';
import { MAX_LINE_BYTES, lineTooLongReason } from './name-limits.js';
import { notUtf8Error, type LineEnd } from './utf8.js';

/** The stream for `file` (its error names it), whose lines end with `lineEnd`, from the start of line `firstLine`. */
export function utf8CheckStream(file: string, lineEnd: LineEnd = '\n', maxLineBytes = MAX_LINE_BYTES, firstLine = 1): Transform {
  const endByte = lineEnd.charCodeAt(0);
  // the unfinished line's bytes, checked once its end comes (a character may straddle two chunks)
  let carry: Buffer[] = [];
  let carried = 0;
  let line = firstLine; // the line `carry` starts
  /** Checks the complete lines of `bytes` (they start at `line`) and counts them. */
  const check = (bytes: Buffer): void => {
    if (!isUtf8(bytes)) throw notUtf8Error(file, bytes, line, true, lineEnd);
    for (let at = bytes.indexOf(endByte); at >= 0; at = bytes.indexOf(endByte, at + 1)) line++;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
      try {
        const lastEnd = chunk.lastIndexOf(endByte);
        if (lastEnd < 0) {
          carry.push(chunk);
          carried += chunk.length;
          if (carried > maxLineBytes) throw new KgInputError(file, line, lineTooLongReason(maxLineBytes));
        } else {
          // the unfinished line ends in this chunk: its length is known before its bytes are joined
          if (carried > 0 && carried + chunk.indexOf(endByte) > maxLineBytes) throw new KgInputError(file, line, lineTooLongReason(maxLineBytes));
          check(Buffer.concat([...carry, chunk.subarray(0, lastEnd + 1)]));
          carry = lastEnd + 1 < chunk.length ? [chunk.subarray(lastEnd + 1)] : [];
          carried = chunk.length - lastEnd - 1;
        }
        done(null, chunk);
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done: TransformCallback): void {
      try {
        if (carried > 0) check(Buffer.concat(carry)); // the last line, without a line end
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}
