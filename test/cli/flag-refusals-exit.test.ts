// Refusals of flag values and of flags that contradict each other are usage errors of every command, as
// conflicting-options-exit.test.ts shows for `train`: the real process exits 2 with the refusal as its one stderr line,
// prints nothing on stdout and writes nothing. Each of these exited 1, as a failure of the work: distill's refusals of
// what MulDE's Junior does not use and of a teacher listed twice; the model options for a model without them (`--norm`,
// `--entity-constraint`, `--one-to-n` with an L1 model); kd's options the chosen side or method ignores, and a bad
// `--param`; the flags of neighbors, predict, plot, data, serve and `--k`; a name no registry entry has (`--model`,
// a kd method or `--param` name) and a kd method without a KG port. A failure of the work still exits 1.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { distill, OptionsError, train } from '../../src/index.js';
import { exitOf, USAGE_EXIT_CODE } from '../../src/cli/usage.js';
import { exportRun } from '../../src/pipeline/export.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const main = path.join(root, 'src', 'cli', 'main.ts');
const fixtureRun = path.join(root, 'test', 'models', 'fixtures', 'transe-before-norm'); // 60 entities, the graph of seed 1
const { KGDISTILL_API_KEY: _apiKey, ...env } = process.env; // serve's key from the environment would lift the --host refusal

/** `kgdistill <args>` as a real process in `cwd`. */
const cli = (cwd: string, args: readonly string[]) =>
  spawnSync(tsx, [main, ...args], { cwd, encoding: 'utf8', env: { ...env, KGDISTILL_THREADS: '1' } });

/** Each command line exits 2 with `kgdistill: <its message>` as the one stderr line and nothing on stdout, and `cwd` keeps only what it held. */
function expectUsageErrors(cwd: string, cases: readonly (readonly [readonly string[], string])[]): void {
  const before = readdirSync(cwd).sort();
  for (const [args, message] of cases) {
    const run = cli(cwd, args);
    const label = args.join(' ');
    expect(run.stderr, label).toBe(`kgdistill: ${message}\n`);
    expect(run.status, label).toBe(2);
    expect(run.stdout, label).toBe('');
  }
  expect(readdirSync(cwd).sort()).toEqual(before); // no run directory, no runs/, no plot, no dataset
}

const tempCwd = (): string => mkdtempSync(path.join(tmpdir(), 'kgdistill-flag-refusal-'));
const junior = 'MulDE trains its Junior on its own sampled negatives (Wang et al. 2021)';

describe('flag refusals exit 2 (real process)', () => {
  let graph: string;
  beforeAll(async () => {
    graph = await writeSyntheticDataset(path.join(tempCwd(), 'graph-60'), { entities: 60, seed: 1 });
  });

  it("distill: what MulDE's Junior does not use, and a teacher twice", () => {
    const cwd = tempCwd();
    writeFileSync(path.join(cwd, 'softmax.json'), '{ "loss": "softmax" }\n');
    writeFileSync(path.join(cwd, 'one-to-n.json'), '{ "oneToN": true }\n');
    writeFileSync(path.join(cwd, 'reg.json'), '{ "reg": "n3", "regWeight": 0.1 }\n');
    const distillArgs = (...extra: string[]) => ['distill', '--dataset', 'g', '--teachers', 't1', ...extra, '--out', 'x'];
    expectUsageErrors(cwd, [
      [distillArgs('--config', 'softmax.json'), `${junior}: --config softmax.json:1: key 'loss' softmax (the cross-entropy over all entities of 1-N training) is not supported by distill; choose auto, bce, nssa or margin`],
      [distillArgs('--config', 'one-to-n.json'), `${junior}: --config one-to-n.json:1: key 'oneToN' is not supported by distill`],
      [distillArgs('--config', 'reg.json'), `${junior}, without a regulariser: --config reg.json:1: key 'reg' and --config reg.json:1: key 'regWeight' are not supported by distill`],
      [['distill', '--dataset', 'g', '--teachers', 't1,t1', '--out', 'x'], '--teachers lists t1 twice: each teacher is one run directory'],
    ]);
  }, 240_000);

  it('train and distill: a model option for a model without it, 1-N training of an L1 model', () => {
    const cwd = tempCwd();
    expectUsageErrors(cwd, [
      [['train', '--dataset', 'g', '--model', 'DistMult', '--norm', '1', '--out', 'x'], '--norm applies to TransE and RotatE only (the model is DistMult)'],
      [['train', '--dataset', 'g', '--model', 'RotatE', '--entity-constraint', 'unit', '--out', 'x'], '--entity-constraint applies to TransE only (the model is RotatE)'],
      [['distill', '--dataset', 'g', '--teachers', 't1', '--student', 'RotH', '--norm', '2', '--out', 'x'], '--norm applies to TransE and RotatE only (the model is RotH)'],
      // known once the model says its similarity: the run makes its model before the load (for the memory bound), so
      // this is said before the dataset is looked for ('g' does not exist)
      [['train', '--dataset', 'g', '--model', 'TransE', '--one-to-n', '--out', 'x'],
        '--one-to-n scores every entity through a matrix product, which the L1 distance of TransE has not: train it with sampled negatives (--neg), or with --norm 2'],
    ]);
  }, 240_000);

  it('kd: options the chosen side or method ignores, a bad --param, no method', () => {
    const cwd = tempCwd();
    expectUsageErrors(cwd, [
      [['kd', 'kd', '--dim', '8'], "--dim applies to a KG port only: give --dataset <KG> to run the method's port on a graph, or drop --dim"],
      [['kd', 'dml', '--dataset', 'g', '--arch', 'mlp'], "--arch applies to the digits only: with --dataset the method's KG port runs on the graph; drop --arch, or drop --dataset to run on the digits"],
      [['kd', 'fedntd', '--lr', '0.5'], '--lr: fedntd trains with its own optimiser on the digits, momentum SGD lr 0.01, momentum 0.9 (--param lr, momentum) by default; set its rate with --param lr=<rate>'],
      [['kd', 'kd', '--param', 'novalue'], "--param expects key=value (got 'novalue')"],
      [['kd'], 'name a method (kd, dml, dcm, ffsd, dogo, lad, co-lad, fedntd, cbd, stream, det-kd, simclrv2, fedx) or pass --list'],
    ]);
  }, 240_000);

  it('neighbors, predict, plot, data, serve: flags that contradict each other or a refused value', () => {
    const cwd = tempCwd();
    expectUsageErrors(cwd, [
      [['neighbors', '--checkpoint', 'r', '--entity', 'e', '--index', '--exact'], '--index and --exact: give one (the exact sweep is the default)'],
      [['predict', '--checkpoint', 'r', '--relation', 'p'], 'give --head (to predict tails), --tail (to predict heads), or both (to score one triple)'],
      [['predict', '--checkpoint', 'r', '--relation', 'p', '--head', 'a', '--tail', 'b', '--k', '3'],
        '--k applies to a list of answers: with --head and --tail, predict scores one triple (its rank is always filtered); drop --k, or drop --tail to list the top answers'],
      [['plot', 'r', '--out', 'curves.png'], '--out curves.png: plot writes SVG; give a file name ending in .svg (nothing was written)'],
      [['plot', 'r', '--checkpoint', 'q'], '--checkpoint q and the argument r are two different run directory names: give one (nothing was done)'],
      [['data', 'stats'], 'give the dataset: as an argument, or with --dataset <dataset>'],
      [['data', 'generate', '--out', 'g', '--entities', '3'], "--entities must be an integer ≥ 4 (got '3')"],
      [['serve', '--checkpoint', 'r', '--host', '0.0.0.0'],
        '--host 0.0.0.0 accepts connections from other machines: give an API key (--api-key, --api-key-file or $KGDISTILL_API_KEY), or --insecure to serve without one'],
      [['serve', '--checkpoint', 'r,r'], '--checkpoint lists r twice: each run is served once'],
      [['serve', '--checkpoint', 'a=r,a=q'], "--checkpoint names a run 'a' twice: each name is one run"],
    ]);
  }, 300_000);

  it('serve: an API key given twice, or a short one on the command line; a short key in a file is input (exit 1)', () => {
    const cwd = tempCwd();
    writeFileSync(path.join(cwd, 'key.txt'), 'short\n');
    expectUsageErrors(cwd, [
      [['serve', '--checkpoint', 'r', '--api-key', 'abcdefghijklmnopq', '--api-key-file', 'key.txt'], 'give the API key once: --api-key or --api-key-file'],
      [['serve', '--checkpoint', 'r', '--api-key', 'short'], 'the API key (--api-key) must have at least 16 characters'],
      [['serve', '--checkpoint', 'r', '--api-key', 'abcdefghijklmnop\u00e9'], 'the API key (--api-key) must be printable ASCII without spaces'],
    ]);
    const fromFile = cli(cwd, ['serve', '--checkpoint', 'r', '--api-key-file', 'key.txt']);
    expect(fromFile.stderr).toBe('kgdistill: the API key (--api-key-file key.txt) must have at least 16 characters\n');
    expect(fromFile.status).toBe(1);
  }, 120_000);

  it('--k above the model\'s entities (the run read, nothing written beside it)', () => {
    const cwd = tempCwd();
    cpSync(fixtureRun, path.join(cwd, 'run'), { recursive: true });
    const files = readdirSync(path.join(cwd, 'run')).sort();
    expectUsageErrors(cwd, [
      [['neighbors', '--checkpoint', 'run', '--entity', 'id:0', '--k', '1000', '--dataset', graph], '--k must be at most 59, got 1000 (this model has 59 entities besides the query)'],
    ]);
    expect(readdirSync(path.join(cwd, 'run')).sort()).toEqual(files);
  }, 120_000);

  it('names the registries refuse: an unknown --model, --student, config model, kd method or --param name, a method without a KG port', () => {
    const cwd = tempCwd();
    writeFileSync(path.join(cwd, 'model.yaml'), 'model: roh\n');
    const models = 'known models: TransE, DistMult, ComplEx, RotatE, RotH, RefH, AttH, MuRP, RotE, RefE, AttE, MuRE';
    expectUsageErrors(cwd, [
      [['train', '--dataset', 'g', '--model', 'foo', '--out', 'x'], `unknown model 'foo'; ${models}`],
      [['train', '--dataset', 'g', '--model', 'rotat', '--out', 'x'], `unknown model 'rotat' (did you mean 'RotatE'?); ${models}`],
      [['distill', '--dataset', 'g', '--teachers', 't1', '--student', 'roth2', '--out', 'x'], `unknown model 'roth2' (did you mean 'RotH'?); ${models}`],
      [['train', '--config', 'model.yaml', '--dataset', 'g', '--out', 'x'], `--config model.yaml:1: key 'model': unknown model 'roh' (did you mean 'RotH'?); ${models}`],
      [['kd', 'fitnets'], "unknown distillation method 'fitnets'; known methods: kd, dml, dcm, ffsd, dogo, lad, co-lad, fedntd, cbd, stream, det-kd, simclrv2, fedx"],
      [['kd', 'kd', '--param', 'foo=1', '--seeds', '1'],
        "--param: invalid parameters for distillation method 'kd': unknown parameter 'foo' (its parameters: loss=hinton-kd, temperature=4, alpha=0.9)"],
      [['kd', 'kd', '--dataset', graph], "method 'kd' has no KG port; the methods with one are dml, dogo, fedntd, cbd (run the others on the digits, without --dataset)"],
    ]);
  }, 240_000);

  it('a failure of the work still exits 1: a run that does not exist', () => {
    const cwd = tempCwd();
    const missing = cli(cwd, ['plot', 'nosuch', '--out', 'c.svg']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^kgdistill: .*nosuch/);
    expect(readdirSync(cwd)).toEqual([]);
  }, 120_000);
});

describe('flag refusals (library): OptionsError naming each key with its value', () => {
  it('distill and train reject before anything is written', async () => {
    const out = path.join(tempCwd(), 'run');
    const softmax = await distill({ dataset: 'g', teachers: ['t1'], loss: 'softmax', out }).catch((e: unknown) => e);
    expect(softmax).toBeInstanceOf(OptionsError);
    const message = `${junior}: loss softmax (the cross-entropy over all entities of 1-N training) is not supported by distill; choose auto, bce, nssa or margin`;
    expect((softmax as OptionsError).message).toBe(message);
    expect((softmax as OptionsError).problems).toEqual([{ key: 'loss', message, value: 'softmax' }]);
    const norm = await train({ dataset: 'g', model: 'DistMult', norm: 1, out }).catch((e: unknown) => e);
    expect(norm).toBeInstanceOf(OptionsError);
    const normMessage = 'norm applies to TransE and RotatE only (the model is DistMult)';
    expect((norm as OptionsError).problems).toEqual([{ key: 'norm', message: normMessage, value: 1 }, { key: 'model', message: normMessage, value: 'DistMult' }]);
    expect(exitOf(norm)).toEqual({ code: USAGE_EXIT_CODE, print: true });
    const unknownModel = await distill({ dataset: 'g', teachers: ['t1'], student: 'rotat', out }).catch((e: unknown) => e);
    expect(unknownModel).toBeInstanceOf(OptionsError);
    expect((unknownModel as OptionsError).problems).toEqual([{ key: 'student', message: expect.stringMatching(/^unknown model 'rotat' \(did you mean 'RotatE'\?\); known models: /), value: 'rotat' }]);
    expect(readdirSync(path.dirname(out))).toEqual([]);
  });

  it('exportRun refuses an unknown format before reading the run', async () => {
    const dir = tempCwd();
    const error = await exportRun(path.join(dir, 'nosuch'), 'csv' as never, path.join(dir, 'out')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OptionsError);
    expect((error as OptionsError).problems).toEqual([{ key: 'format', message: "format must be one of tsv, npy, parquet (got 'csv')", value: 'csv' }]);
    expect(readdirSync(dir)).toEqual([]);
  });
});
