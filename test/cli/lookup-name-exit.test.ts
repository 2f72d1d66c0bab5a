// A name given to predict or neighbors that no entity or relation has, that several have, or that is no valid id is
// a usage error (exit 2, as a too-large --k is); an empty one is refused naming its flag before the run is read.
// A query the model cannot answer as loaded (filtering without its dataset's known triples) stays a failure (exit 1).
import { describe, expect, it } from 'vitest';
import { exitOf, USAGE_EXIT_CODE } from '../../src/cli/usage.js';
import { LookupError } from '../../src/lookup/errors.js';
import { OptionsError } from '../../src/pipeline/options-error.js';
import { registerPredictCommand } from '../../src/cli/commands/predict.js';
import { registerNeighborsCommand } from '../../src/cli/commands/neighbors.js';
import { runCliCapturing } from '../helpers/run-cli.js';

describe('lookup names on the command line', () => {
  it('an unknown, ambiguous or invalid name exits 2; an unavailable query exits 1', () => {
    expect(exitOf(new LookupError('not-found', "unknown relation 'nxt'", ['next']))).toEqual({ code: USAGE_EXIT_CODE, print: true });
    expect(exitOf(new LookupError('ambiguous', "'FOO' matches 2 entities"))).toEqual({ code: USAGE_EXIT_CODE, print: true });
    expect(exitOf(new LookupError('invalid', 'entity id id:300 out of range'))).toEqual({ code: USAGE_EXIT_CODE, print: true });
    expect(exitOf(new LookupError('unavailable', 'filtered needs the known triples'))).toEqual({ code: 1, print: true });
  });

  it('an empty --head, --relation, --tail or --entity is refused naming the flag, before the run is read', async () => {
    const missingRun = '/nonexistent/run'; // reading it would be another error: the refusal comes first
    const cases: [string[], string][] = [
      [['predict', '--checkpoint', missingRun, '--head', '', '--relation', 'r'], '--head is empty: give a name, a key or id:<n>'],
      [['predict', '--checkpoint', missingRun, '--head', 'a', '--relation', ' '], '--relation is empty: give a name, a key or id:<n>'],
      [['predict', '--checkpoint', missingRun, '--tail', '', '--relation', 'r'], '--tail is empty: give a name, a key or id:<n>'],
      [['neighbors', '--checkpoint', missingRun, '--entity', ''], '--entity is empty: give a name, a key or id:<n>'],
    ];
    for (const [args, message] of cases) {
      const error = await runCliCapturing([registerPredictCommand, registerNeighborsCommand], args).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(OptionsError);
      expect((error as Error).message).toBe(message);
    }
  });
});
