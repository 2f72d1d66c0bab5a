// resumedOptions: the resumable options a user gives replace the run's and are listed as changes (an option the
// run's config.json does not set is named so); any other differing option is an error naming each.
import { describe, expect, it } from 'vitest';
import { resumedOptions } from '../../src/pipeline/run-config.js';
import { flagOf } from '../../src/pipeline/options.js';
import { OptionsError } from '../../src/pipeline/options-error.js';

const saved = { dataset: 'WN18RR', model: 'RotH', epochs: 100, patience: 10, lr: 0.001 };

describe('resumedOptions', () => {
  it('takes the resumable options and lists what changed', () => {
    const { options, changed } = resumedOptions(saved, { out: 'runs/a', epochs: 200, patience: 10, lrDecay: 0.3, resume: true }, flagOf, 'runs/a');
    expect(options).toMatchObject({ epochs: 200, patience: 10, lrDecay: 0.3, lr: 0.001 });
    expect(changed).toEqual(['--epochs 200 (was 100)', '--lr-decay 0.3 (not set in the run\'s config.json)']);
  });

  it('refuses any other differing option, naming each, as a usage error (OptionsError: exit 2) with one problem a key', () => {
    const refuse = () => resumedOptions(saved, { lr: 0.01, model: 'RotH', dim: 16 }, flagOf, 'runs/a');
    expect(refuse).toThrow(
      '--resume runs/a: --lr 0.01 (the run has 0.001); --dim 16 (not set in the run\'s config.json); only --epochs, --patience, --valid-every, --lr-decay, --lr-patience, --test-eval, --backend may change when resuming');
    expect(refuse).toThrow(OptionsError);
    const problems = (() => { try { refuse(); } catch (error) { return (error as OptionsError).problems; } })();
    expect(problems?.map(({ key, value }) => [key, value])).toEqual([['lr', 0.01], ['dim', 16]]);
  });

  it("compares --senior-lr, whose default is --lr, with the run's --lr when its config.json does not set it (the value the run used was refused)", () => {
    expect(() => resumedOptions(saved, { seniorLr: 0.001 }, flagOf, 'runs/a')).not.toThrow();
    expect(() => resumedOptions(saved, { seniorLr: 0.01 }, flagOf, 'runs/a')).toThrow('--senior-lr 0.01 (the run has 0.001)');
    expect(() => resumedOptions({ ...saved, seniorLr: 0.01 }, { seniorLr: 0.01 }, flagOf, 'runs/a')).not.toThrow();
  });

  it("takes a model's name in any case, as a new run does (--model roth was refused: 'the run has \"RotH\"')", () => {
    expect(resumedOptions(saved, { model: 'roth' }, flagOf, 'runs/a').options.model).toBe('RotH');
    expect(() => resumedOptions(saved, { model: 'refh' }, flagOf, 'runs/a')).toThrow('--model "refh" (the run has "RotH")');
  });
});

describe('an option whose only flag switches it off', () => {
  it('is named by that flag in a refused --resume, not by a flag that does not exist (--attention false)', () => {
    const run = { dataset: 'WN18RR', student: 'RotH', attention: true, scaling: false };
    expect(() => resumedOptions(run, { attention: false }, flagOf, 'runs/s')).toThrow('--resume runs/s: --no-attention (the run has it on)');
    expect(() => resumedOptions(run, { scaling: true }, flagOf, 'runs/s')).toThrow('--resume runs/s: scaling on (without --no-scaling) (the run has it off)');
    expect(() => resumedOptions(run, { attention: false }, (key) => key, 'runs/s')).toThrow('resume runs/s: attention false (the run has it on)'); // keys, in code
  });
});
