// `kgdistill kd`: the listing, a short run with --json and the text table, and input errors.
import { describe, expect, it } from 'vitest';
import { helpOf, runCli as runCliWith, runCliCapturing } from '../helpers/run-cli.js';
import { registerKdCommand } from '../../src/cli/commands/kd.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseParamPairs } from '../../src/cli/kd-flags.js';
import { formatComparison } from '../../src/cli/kd-tables.js';
import type { ComparisonReport } from '../../src/general/images/runner.js';
import type { MeanStd } from '../../src/general/stats.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { randomRankingMrr } from './random-ranking.js';

const runCli = (args: string[]): Promise<string> => runCliWith([registerKdCommand], args);

/** The packaged digits' rows (64 pixels, then the label), as text cells. */
function readDigitRows(): string[][] {
  const file = new URL('../../data/digits/digits.csv.gz', import.meta.url);
  return gunzipSync(readFileSync(file)).toString('utf8').trim().split('\n').map((line) => line.split(','));
}

describe('kgdistill kd', () => {
  it('--list shows every method and every loss with its equation', async () => {
    const out = await runCli(['kd', '--list']);
    for (const name of ['kd', 'dml', 'dcm', 'ffsd', 'dogo', 'lad', 'co-lad']) expect(out).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(out).toMatch(/nt-xent .*\n.*ℓ\(i, j\) = −log/);
    expect(out).toMatch(/Hinton, Vinyals & Dean 2015/);
  });

  it('runs a method against its baseline and prints JSON or a table', async () => {
    const json = JSON.parse((await runCli(['kd', 'dml', '--seeds', '1', '--epochs', '1', '--backend', 'wasm', '--json'])).trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(json).toMatchObject({ method: 'dml', arch: 'mlp', budget: { epochs: 1, batchSize: 64, learningRate: 0.003 }, backend: 'wasm' });
    const summary = json.summary as { baseline: { mean: number; n: number }; method: { mean: number } };
    expect(summary.baseline.n).toBe(1);
    expect(summary.method.mean).toBeGreaterThan(0.3);
    const text = await runCli(['kd', 'kd', '--seeds', '1', '--epochs', '1', '--param', 'temperature=2', '--param', 'alpha=0.5', '--backend', 'wasm']);
    expect(text).toMatch(/^KD, temperature knowledge distillation \(Hinton et al\. 2015\)/);
    expect(text).toMatch(/baseline: student trained alone with cross-entropy +0\.\d{4} ± 0\.0000/);
    expect(text).toMatch(/difference \(paired\) +[+-]0\.\d{4} ± 0\.0000/);
    expect(text).toMatch(/\(teacher\)/);
  }, 60_000);

  it('--list names each method\'s --param keys with their defaults (digits and KG port), and --list --json is one JSON object', async () => {
    const out = await runCli(['kd', '--list']);
    expect(out).toContain('--param (digits): loss=hinton-kd, temperature=4, alpha=0.9');
    expect(out).toContain('--param (KG port): teachers=2, alpha=0.5, temperature=2, power=0, rareMax=2, frequentMin=11');
    const json = JSON.parse((await runCli(['kd', '--list', '--json'])).trim().split('\n').at(-1)!) as { methods: { name: string; params: object; kgPort?: { params: object } }[]; losses: unknown[] };
    expect(json.methods.find((m) => m.name === 'dml')).toMatchObject({ params: { peers: 2, temperature: 1, weight: 1 }, kgPort: { params: { weight: 1, temperature: 1 } } });
    // every registered loss, in the registry's order, with its documented defaults
    const losses = json.losses as Array<{ name: string; defaults: object }>;
    expect(losses.map((l) => l.name)).toEqual(['ce', 'kd', 'hinton-kd', 'dml', 'dcm', 'nt-xent', 'similarity-kl', 'feature-mse', 'attention', 'ffsd-diversity', 'focal', 'ntd', 'cbd', 'weighted-kd', 'bounded-regression', 'hint']);
    expect(losses.find((l) => l.name === 'hinton-kd')!.defaults).toEqual({ temperature: 4, alpha: 0.9 });
    expect(json.methods.find((m) => m.name === 'stream')!.params).toHaveProperty('initialStride', null); // no default: null, not dropped
  });

  it('--param adds to the --config file\'s params key by key; --seeds takes a list of one and refuses a repeated seed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kgdistill-kd-config-'));
    const config = path.join(dir, 'kd.json');
    writeFileSync(config, JSON.stringify({ seeds: 1, epochs: 1, params: { weight: 0.5, temperature: 3 } }));
    const report = JSON.parse((await runCli(['kd', 'dml', '--config', config, '--param', 'weight=2', '--backend', 'wasm', '--json'])).trim().split('\n').at(-1)!) as { params: object; seeds: { seed: number }[] };
    expect(report.params).toEqual({ peers: 2, temperature: 3, weight: 2 }); // was { peers: 2, temperature: 1, weight: 2 }: the file's temperature dropped
    // nested pairs merge at every depth: --param augment.noise=0 keeps the file's augment.maxDegrees
    writeFileSync(config, JSON.stringify({ seeds: 1, epochs: 1, params: { augment: { maxDegrees: 5, maxShift: 2 } } }));
    const nested = JSON.parse((await runCli(['kd', 'dogo', '--config', config, '--param', 'augment.noise=0', '--backend', 'wasm', '--json'])).trim().split('\n').at(-1)!) as { params: { augment: object } };
    expect(nested.params.augment).toEqual({ maxDegrees: 5, maxShift: 2, noise: 0 });
    const one = JSON.parse((await runCli(['kd', 'dml', '--seeds', '5,', '--epochs', '1', '--backend', 'wasm', '--json'])).trim().split('\n').at(-1)!) as { seeds: { seed: number }[] };
    expect(one.seeds.map((s) => s.seed)).toEqual([5]);
    await expect(runCli(['kd', 'dml', '--seeds', '1,1', '--backend', 'wasm'])).rejects.toThrow('--seeds must not repeat a seed');
  }, 60_000);

  it('--help lists every method of the registry with its summary, and the methods with a KG port', async () => {
    const help = helpOf(registerKdCommand, ['kd']);
    expect(help).toMatch(/^ {2}dml {7}DML, deep mutual learning \(Zhang et al\. 2018\)$/m);
    expect(help).toMatch(/^ {2}simclrv2 {2}SimCLRv2: /m);
    expect(help).toContain('With a KG port (--dataset <KG>): dml, dogo, fedntd, cbd.');
  });

  it('rejects a missing or unknown method and bad options', async () => {
    await expect(runCli(['kd'])).rejects.toThrow(/name a method \(kd, dml, dcm, ffsd, dogo, lad, co-lad, fedntd, cbd, stream, det-kd, simclrv2, fedx\) or pass --list/);
    await expect(runCli(['kd', 'fitnets', '--backend', 'wasm'])).rejects.toThrow(/unknown distillation method 'fitnets'/);
    await expect(runCli(['kd', 'kd', '--param', 'tempreature=2', '--backend', 'wasm'])).rejects.toThrow('invalid parameters for distillation method \'kd\': unknown parameter \'tempreature\' (did you mean \'temperature\'?) (its parameters: loss=hinton-kd, temperature=4, alpha=0.9)');
    await expect(runCli(['kd', 'kd', '--epochs', 'x', '--backend', 'wasm'])).rejects.toThrow(/--epochs must be a positive integer \(got "x"\)/);
    // a KG-only key from a --config file is named by the file and key, not by a flag the user never typed
    const config = path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-kd-side-')), 'c.json');
    writeFileSync(config, JSON.stringify({ dim: 8 }));
    await expect(runCli(['kd', 'kd', '--config', config])).rejects.toThrow(`--config ${config}:1: key 'dim' applies to a KG port only`);
    // a path to the digits is looked for there only (not glued onto the data roots and the cache)
    await expect(runCli(['kd', 'kd', '--digits', '/nonexistent/digits-dir', '--backend', 'wasm'])).rejects.toThrow(/digits data not found \(no digits\.csv\.gz\); searched:\n {2}\/nonexistent\/digits-dir$/);
  });

  it('runs the KG port of dml on a knowledge graph, far above a random ranking, and refuses methods without one', async () => {
    const graph = await writeSyntheticDataset(path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-kd-')), 'graph'), { entities: 100, seed: 2 });
    const args = ['kd', 'dml', '--dataset', graph, '--seeds', '1', '--epochs', '10', '--dim', '16', '--lr', '0.5', '--batch-size', '64', '--neg', '8', '--backend', 'wasm'];
    const json = JSON.parse((await runCli([...args, '--json'])).trim().split('\n').at(-1)!) as { method: string; mode: string; seeds: unknown[]; summary: Record<'single' | 'pairA' | 'pairB', { mean: number }> };
    expect(json.method).toBe('dml');
    expect(json.mode).toBe('dml');
    expect(json.seeds).toHaveLength(1);
    expect((json as unknown as { warnings: string[] }).warnings).toEqual([]);
    // a note is said with --json too, on stderr and in `warnings` (it went unsaid)
    const many = await runCliCapturing([registerKdCommand], ['kd', 'dml', '--dataset', graph, '--seeds', '1', '--epochs', '1', '--dim', '4', '--neg', '150', '--backend', 'wasm', '--json']);
    const note = "--neg 150 is not below the graph's 100 entities: negatives are drawn uniformly with replacement, so they repeat";
    expect(many.err).toContain(`note: ${note}\n`);
    expect(many.err).not.toContain('backend wasm'); // progress stays off with --json
    expect((JSON.parse(many.out.trim().split('\n').at(-1)!) as { warnings: string[] }).warnings).toEqual([note]);
    // A uniformly random ranking of 100 entities has an expected MRR of H_100/100 = 0.052; measured on wasm (seed 0):
    // single 0.48, pair 0.61 and 0.56.
    const random = randomRankingMrr(100);
    for (const student of ['single', 'pairA', 'pairB'] as const) expect(json.summary[student].mean, student).toBeGreaterThan(5 * random);
    expect(await runCli([...args, '--param', 'weight=0.5'])).toMatch(/^KG port of DML: two DistMult d=16 students vs one, graph; 10 epochs, batch 64, adagrad 0\.5, 8 negatives, λ 0\.5, T 1\n/);
    await expect(runCli(['kd', 'kd', '--dataset', graph, '--backend', 'wasm'])).rejects.toThrow(/method 'kd' has no KG port; the methods with one are dml, dogo, fedntd, cbd/);
    await expect(runCli([...args, '--param', 'lambda=2'])).rejects.toThrow(/invalid parameters for the KG port of 'dml': unknown parameter 'lambda'/);
  }, 60_000);

  it('prints an extra figure as a count only when it is whole in every seed and above 1 in one (an accuracy of exactly 1 printed as "1")', () => {
    const stats = (mean: number): MeanStd => ({ mean, std: 0, n: 2 });
    const outcome = (extra: Record<string, number>) => ({ accuracy: 0.5, seconds: 1, extra });
    const report = {
      method: 'kd', title: 'T', baseline: 'B', measures: 'M', arch: 'mlp', epochsAre: 'epochs', optimizer: 'Adam 0.003', params: {}, seconds: 60,
      dataset: { name: 'digits', dir: '.', verified: true, train: 10, test: 5, testFraction: 0.25, splitSeed: 0 },
      budget: { epochs: 1, batchSize: 64, learningRate: 0.003 },
      seeds: [0, 1].map((seed) => ({ seed, baseline: outcome({}), method: outcome({ teacher: 1, labelled: 120 + seed, background: 0 }) })),
      summary: { baseline: stats(0.5), method: stats(0.5), difference: stats(0), extra: { teacher: stats(1), labelled: stats(120.5), background: stats(0) } },
    } as ComparisonReport;
    const text = formatComparison(report);
    expect(text).toMatch(/^\(teacher\) +1\.0000 ± 0\.0000 +1\.0000 +1\.0000$/m);
    expect(text).toMatch(/^\(background\) +0\.0000 ± 0\.0000 +0\.0000 +0\.0000$/m);
    expect(text).toMatch(/^\(labelled\) +120\.5 ± 0\.0 +120 +121$/m);
  });

  it('parses --param', () => {
    expect(parseParamPairs(['a=1', 'b=x', 'c.d=true', 'c.e=[1,2]'])).toEqual({ a: 1, b: 'x', c: { d: true, e: [1, 2] } });
    expect(() => parseParamPairs(['novalue'])).toThrow(/--param expects key=value/);
    // it wrote onto Object.prototype, and the run then failed on an option nobody gave ('--temperature')
    expect(() => parseParamPairs(['__proto__.temperature=1'])).toThrow("--param __proto__.temperature: '__proto__' is not a parameter name");
    expect(() => parseParamPairs(['a..b=1'])).toThrow("--param a..b: '' is not a parameter name");
    expect(({} as Record<string, unknown>).temperature).toBeUndefined();
  });

  it('FedNTD on the digits: --epochs counts rounds and the header shows the momentum SGD that ran; --lr, which it never used, is refused', async () => {
    const args = ['kd', 'fedntd', '--seeds', '1', '--epochs', '1', '--param', 'localEpochs=1', '--param', 'lr=0.02', '--backend', 'wasm'];
    const text = await runCli(args);
    // it said "1 epochs, batch 64, Adam 0.003" while the clients trained with SGD at --param lr
    expect(text).toMatch(/; mlp; 1 communication rounds, batch 64, momentum SGD lr 0\.02, momentum 0\.9 \(--param lr, momentum\); seeds 0\n/);
    const json = JSON.parse((await runCli([...args, '--json'])).trim().split('\n').at(-1)!) as { budget: object; epochsAre: string; optimizer: string };
    expect(json).toMatchObject({ budget: { epochs: 1, batchSize: 64 }, epochsAre: 'communication rounds', optimizer: 'momentum SGD lr 0.02, momentum 0.9 (--param lr, momentum)' });
    expect(json.budget).not.toHaveProperty('learningRate');
    await expect(runCli(['kd', 'fedntd', '--lr', '0.5', '--backend', 'wasm'])).rejects.toThrow('--lr: fedntd trains with its own optimiser on the digits, momentum SGD lr 0.01, momentum 0.9 (--param lr, momentum) by default; set its rate with --param lr=<rate>');
    await expect(runCli(['kd', 'fedx', '--lr', '0.5', '--backend', 'wasm'])).rejects.toThrow('--lr: fedx trains with its own optimiser on the digits, momentum SGD lr 0.1');
  }, 60_000);

  it('refuses before training what a method cannot run or would ignore: FFSD on an mlp, an unknown --arch in --config, --neg for dogo on a KG', async () => {
    await expect(runCli(['kd', 'ffsd', '--arch', 'mlp', '--seeds', '1', '--backend', 'wasm'])).rejects.toThrow('--arch mlp: FFSD fuses convolutional feature maps, which the mlp network has none of; use --arch cnn (the default)');
    const config = path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-kd-arch-')), 'c.json');
    writeFileSync(config, JSON.stringify({ arch: 'resnet' }));
    // it said "invalid kd options: arch: …" after the backend started, naming neither the file nor the key
    await expect(runCli(['kd', 'kd', '--config', config])).rejects.toThrow(`--config ${config}:1: key 'arch' must be one of mlp, cnn (got "resnet")`);
    const graph = await writeSyntheticDataset(path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-kd-neg-')), 'graph'), { entities: 60, seed: 1 });
    await expect(runCli(['kd', 'dogo', '--dataset', graph, '--neg', '5', '--backend', 'wasm'])).rejects.toThrow("--neg: dogo's KG port draws no uniform negatives (its contrast is in-batch); drop --neg (it applies to dml, fedntd, cbd)");
  });

  it('a KG whose train or test split is empty is refused naming the file (it printed NaN, or the MRR of untrained embeddings, with exit 0)', async () => {
    for (const split of ['test', 'train']) {
      const graph = await writeSyntheticDataset(path.join(mkdtempSync(path.join(tmpdir(), `kgdistill-kd-empty-${split}-`)), 'graph'), { entities: 60, seed: 1 });
      writeFileSync(path.join(graph, `${split}.txt`), '');
      const why = split === 'train' ? 'there is nothing to train on' : 'there is nothing to measure the comparison on';
      for (const method of ['dml', 'cbd']) {
        await expect(runCli(['kd', method, '--dataset', graph, '--seeds', '1', '--epochs', '1', '--dim', '8', '--backend', 'wasm'])).rejects.toThrow(`${path.join(graph, `${split}.txt`)}: the ${split} split has no triples: ${why}`);
      }
    }
  });

  it('digits whose split leaves no test images are refused (the accuracy was 0/0, printed NaN with exit 0)', async () => {
    const rows = readDigitRows().filter((row, i, all) => all.findIndex((other) => other.at(-1) === row.at(-1)) === i); // one image per class
    expect(rows).toHaveLength(10);
    const dir = mkdtempSync(path.join(tmpdir(), 'kgdistill-kd-digits-'));
    writeFileSync(path.join(dir, 'digits.csv.gz'), gzipSync(`${rows.map((row) => row.join(',')).join('\n')}\n`));
    await expect(runCli(['kd', 'kd', '--digits', dir, '--seeds', '1', '--epochs', '1', '--backend', 'wasm'])).rejects.toThrow('--test-fraction 0.25 leaves no test images in these digits (10 train / 0 test, stratified by class)');
  });
});
