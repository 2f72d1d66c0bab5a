// Replaying a run's config.json with a flag that changes what its resolved defaults were chosen for: config.json
// (version 2) lists which of its values were defaults, and those are chosen anew for the new settings, with a note.
// Before, TransE replayed with --entity-constraint none trained with the margin and temperature of unit entities, and
// DistMult replayed with --loss bce or --one-to-n was refused for the margin the file carried.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runTrain } from '../../src/pipeline/train.js';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { replayedDefaultsOf } from '../../src/pipeline/replayed-defaults.js';
import { useGraphFixture } from '../helpers/graph-fixture.js';
import { runCliCapturing } from '../helpers/run-cli.js';

const fixture = useGraphFixture('kgdistill-replay-defaults-', 60);
const base = { dim: 4, epochs: 1, validEvery: 1, batchSize: 64, testEval: false } as const;
interface SavedConfig { version: number; options: Record<string, unknown>; defaults?: string[] }
const configOf = (run: string): SavedConfig => JSON.parse(readFileSync(path.join(run, 'config.json'), 'utf8')) as SavedConfig;
const LOSS_KEYS = ['entityConstraint', 'loss', 'margin', 'advTemperature'];
const pick = (o: Record<string, unknown>): unknown[] => LOSS_KEYS.map((key) => o[key]);

/** Replays `run`'s config.json into `out` with `flags`; returns the new run's config.json (the error on stderr when it trained none). */
async function replay(run: string, out: string, flags: string[]): Promise<{ config: SavedConfig; err: string }> {
  const { err } = await runCliCapturing([registerTrainCommand], ['train', '--config', path.join(run, 'config.json'), '--out', path.join(fixture.tmp, out), '--no-test-eval', ...flags]);
  if (!existsSync(path.join(fixture.tmp, out, 'config.json'))) throw new Error(`the replay trained no run: ${err}`);
  return { config: configOf(path.join(fixture.tmp, out)), err };
}

describe("a run's config.json replayed with a changed setting", () => {
  it('records which resolved values were defaults, keeps them on an unchanged replay and on --resume', async () => {
    const transe = path.join(fixture.tmp, 'transe');
    await runTrain({ dataset: fixture.graph, model: 'TransE', ...base, out: transe });
    const saved = configOf(transe);
    expect(saved.version).toBe(2);
    expect(saved.defaults).toEqual(['norm', 'entityConstraint', 'loss', 'margin', 'advTemperature']);
    const same = await replay(transe, 'transe-same', []);
    expect(same.err).not.toContain('chosen anew');
    expect([same.config.options, same.config.defaults]).toEqual([saved.options, saved.defaults]);
    await runTrain({ out: transe, resume: true, epochs: 2 });
    expect(configOf(transe).defaults).toEqual(saved.defaults);
  }, 60_000);

  it("chooses TransE's loss anew without its unit constraint, and keeps a margin the user gave", async () => {
    const transe = path.join(fixture.tmp, 'transe-2');
    await runTrain({ dataset: fixture.graph, model: 'TransE', ...base, out: transe });
    expect(pick(configOf(transe).options)).toEqual(['unit', 'nssa', 3, 4]);
    const free = await replay(transe, 'transe-free', ['--entity-constraint', 'none']);
    expect(free.err).toContain(`kgdistill: note: --config ${path.join(transe, 'config.json')}: --entity-constraint "none" changes what the run's defaults were chosen for: its --norm 1, --loss "nssa", --margin 3, --adv-temperature 4 are chosen anew for the new settings (give them as flags to keep them)`);
    expect(pick(free.config.options)).toEqual(['none', 'nssa', 0, 8]); // TransE's loss on free entities (registry/models.ts)
    const mine = path.join(fixture.tmp, 'transe-mine');
    await runTrain({ dataset: fixture.graph, model: 'TransE', ...base, margin: 2, out: mine });
    expect(configOf(mine).defaults).toEqual(['norm', 'entityConstraint', 'loss', 'advTemperature']);
    expect(pick((await replay(mine, 'transe-mine-free', ['--entity-constraint', 'none'])).config.options)).toEqual(['none', 'nssa', 2, 8]);
  }, 60_000);

  it('lets DistMult replay with --loss bce and with --one-to-n, which its saved margin used to refuse', async () => {
    const distmult = path.join(fixture.tmp, 'distmult');
    await runTrain({ dataset: fixture.graph, model: 'DistMult', ...base, out: distmult });
    const bce = await replay(distmult, 'distmult-bce', ['--loss', 'bce']);
    expect(pick(bce.config.options)).toEqual([undefined, 'bce', undefined, undefined]);
    expect(bce.config.defaults).toEqual(['initScale']);
    const oneToN = await replay(distmult, 'distmult-1n', ['--one-to-n']);
    expect(pick(oneToN.config.options)).toEqual([undefined, 'softmax', undefined, undefined]);
  }, 60_000);

  it('keeps the values of a version 1 file, which does not say which were defaults, and says how to change them', async () => {
    const old = path.join(fixture.tmp, 'old');
    await runTrain({ dataset: fixture.graph, model: 'TransE', ...base, out: old });
    const { defaults: _defaults, ...config } = configOf(old);
    writeFileSync(path.join(old, 'config.json'), JSON.stringify({ ...config, version: 1 }));
    const kept = await replay(old, 'old-free', ['--entity-constraint', 'none']);
    expect(kept.err).toContain(`--entity-constraint "none" changes what a run's defaults are chosen for, but this config.json (version 1, before 2026-12-08) does not say which of its values were defaults: --norm 1, --loss "nssa", --margin 3, --adv-temperature 4 are kept as given; give them as flags to change them`);
    expect(pick(kept.config.options)).toEqual(['none', 'nssa', 3, 4]);
  }, 60_000);
});

describe('replayedDefaultsOf', () => {
  const run = { command: 'train' as const, version: 2 as const, defaults: ['loss', 'margin'] };
  it('drops the defaults only when a setting they depend on changes; a model name in another case is the same model', () => {
    const fromFile = { model: 'DistMult', loss: 'nssa', margin: 0 };
    expect(replayedDefaultsOf('c.json', run, fromFile, { ...fromFile, model: 'distmult' }, ['model'])).toEqual({ drop: [], kept: ['loss', 'margin'] });
    expect(replayedDefaultsOf('c.json', run, fromFile, { ...fromFile, epochs: 3 }, ['epochs'])).toEqual({ drop: [], kept: ['loss', 'margin'] });
    expect(replayedDefaultsOf('c.json', run, fromFile, { ...fromFile, model: 'ComplEx' }, ['model']).drop).toEqual(['loss', 'margin']);
    // a default given as a flag is the user's: neither dropped nor kept as a default
    expect(replayedDefaultsOf('c.json', run, fromFile, { ...fromFile, loss: 'bce', margin: 0 }, ['loss', 'margin'])).toMatchObject({ drop: [] , kept: [] });
    expect(replayedDefaultsOf('c.json', undefined, fromFile, { ...fromFile, model: 'ComplEx' }, ['model'])).toEqual({ drop: [], kept: [] });
  });
});
