// The commands kgdistill prints name run directories as one shell word each, whatever the path holds.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../src/pipeline/shell-quote.js';
import { evalCommandOf } from '../../src/pipeline/run-texts.js';
import { resumeCommandOf } from '../../src/cli/run-training.js';

describe('shellQuote', () => {
  it('leaves plain paths alone and quotes the rest so that sh reads back the same word', () => {
    expect(shellQuote('/runs/wn18rr-roth-32')).toBe('/runs/wn18rr-roth-32');
    expect(shellQuote('/runs/my run')).toBe("'/runs/my run'");
    for (const word of ['/runs/my run', "it's", 'a$b`c`"d"', 'tab\there', '*', '']) {
      expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' })).toBe(word);
    }
  });

  it('quotes the run directory in the eval and resume commands', () => {
    expect(evalCommandOf('/tmp/my run', { evalCandidates: undefined, evalSeed: 0 })).toBe("kgdistill eval --checkpoint '/tmp/my run'");
    expect(resumeCommandOf('train', '/tmp/my run')).toBe("kgdistill train --out '/tmp/my run' --resume");
  });
});
