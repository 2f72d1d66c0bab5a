/**
 * Chunks of a file gathered into blocks of whole lines, for the readers that check or decode a block at a time
 * (line-source.ts `forEachLine`, utf8-check-stream.ts): each chunk up to its last line end, after the unfinished line
 * carried from the chunks before. The carried chunks are kept apart and joined once the line's end comes (joining each
 * one to the rest was quadratic in a long line), and a line longer than `maxLineBytes` is refused as soon as that
 * many of its bytes are held without its end.
 */
import { KgInputError } from './errors.js';
import { lineTooLongReason } from './name-limits.js';

/** The whole-line blocks of one file, chunk by chunk. */
export class LineBlocks {
  private carry: Buffer[] = [];
  private carried = 0;

  /** `file` names the file in the too-long error; `endByte` is the line end (LF or CR). */
  constructor(private readonly file: string, private readonly endByte: number, private readonly maxLineBytes: number) {}

  /** Bytes held of the unfinished line (the block `push` returns next starts this many bytes before its chunk). */
  get held(): number {
    return this.carried;
  }

  /**
   * The whole lines `chunk` completes, the held start of the first included, or undefined while the line goes on; at
   * the end of the file (`atEnd`, `chunk` empty) what is held, the last line without its end. `line` is the number of
   * the unfinished line, named by the error of a line too long.
   */
  push(chunk: Buffer, line: number, atEnd = false): Buffer | undefined {
    const lastEnd = atEnd ? -1 : chunk.lastIndexOf(this.endByte);
    if (!atEnd && lastEnd < 0) { // the line goes on (the caller gives a new buffer each time: the view stays valid)
      this.carried += chunk.length;
      this.refuseLongLine(line);
      this.carry.push(chunk);
      return undefined;
    }
    // the unfinished line ends in this chunk: its length is known before its bytes are joined
    if (this.carried > 0 && this.carried + (atEnd ? 0 : chunk.indexOf(this.endByte)) > this.maxLineBytes) throw this.tooLong(line);
    const data = this.carried > 0 ? Buffer.concat([...this.carry, chunk]) : chunk;
    const cut = atEnd ? data.length : this.carried + lastEnd + 1;
    const rest = data.subarray(cut);
    this.carry = rest.length > 0 ? [Buffer.from(rest)] : [];
    this.carried = rest.length;
    return data.subarray(0, cut);
  }

  /** Throws when the unfinished line held, line `line`, is already longer than the most a line may hold. */
  refuseLongLine(line: number): void {
    if (this.carried > this.maxLineBytes) throw this.tooLong(line);
  }

  private tooLong(line: number): KgInputError {
    return new KgInputError(this.file, line, lineTooLongReason(this.maxLineBytes));
  }
}
