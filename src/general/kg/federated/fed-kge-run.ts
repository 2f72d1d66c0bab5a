/**
 * Federated KGE with and without not-true distillation: FedE (Chen et al. 2021) — FedAvg (McMahan et al. 2017,
 * Alg. 1) over M clients holding relation-partitioned subgraphs, the entity table shared and averaged by the
 * server with the clients' entity frequencies as weights, relation tables private — and FedNTD-KGE, where each
 * client's local loss adds β·not-true distillation from the round's global model over its queries' sampled
 * candidates (Lee et al. 2022, §4 Eq. 5). Every client takes part in every round, with its own optimiser state
 * kept across rounds (as FedE's clients keep theirs); at the start of a round it takes the global entity table.
 * The global model — the averaged entity table and each relation's owner's rows — is the frozen reference of
 * the round's NTD term and is evaluated on the test split (filtered MRR, both directions) after every round.
 */
import { ModelRuntime } from '../../../core/model-runtime.js';
import { TableOptimizer, type OptimizerName } from '../../../core/optimizers.js';
import { SeededRandom } from '../../../core/random.js';
import { trainingQueries } from '../../../core/batch.js';
import { trainEpochs } from '../../../core/epoch-loop.js';
import type { RunData } from '../../../core/training-data.js';
import { evaluateSplit } from '../../../eval/evaluate-run.js';
import { createModelFor } from '../../../registry/models.js';
import { CandidateDistillObjective } from '../candidate-distill-objective.js';
import { aggregateEntities, assembleRelations } from './fede-aggregate.js';
import { clientTriples, entityCounts, relationOwners } from './relation-partition.js';
import { meanStd, type MeanStd } from '../../stats.js';
import { portRun, portRunName } from '../port.js';

/** The two algorithms. */
export type FedKgeAlgorithm = 'fede' | 'fedntd';

/** Settings of one federated KGE simulation. */
export interface FedKgeOptions {
  model: string;
  dim: number;
  initScale: number;
  clients: number;
  rounds: number;
  localEpochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  negatives: number;
  /** FedNTD's β and τ. */
  beta: number;
  temperature: number;
  seed: number;
}

/** The global model's filtered test MRR after every round. */
export interface FedKgeResult {
  algorithm: FedKgeAlgorithm;
  perRound: number[];
  mrr: number;
  /** Training triples and relations per client. */
  clientTriples: number[];
  clientRelations: number[];
  seconds: number;
}

/** Copies every table of `from` that is indexed by `kind` into `to` (same model). */
function copyTables(from: ModelRuntime, to: ModelRuntime, kind: 'entity' | 'relation'): void {
  for (const table of from.store.tables()) {
    if (table.spec.indexedBy === kind) to.store.table(table.spec.name).data.array.set(table.data.array);
  }
}

/** Runs one simulation; `onRound` gets the global model's test MRR after each round. */
export async function runFedKge(data: RunData, algorithm: FedKgeAlgorithm, options: FedKgeOptions, backend: string,
  onRound: (round: number, mrr: number) => void = () => undefined): Promise<FedKgeResult> {
  const started = performance.now();
  const R = data.numRelations;
  const M = options.clients;
  const owners = relationOwners(R, M, options.seed);
  const parts = clientTriples(data.train, owners, M);
  const counts = parts.map((t) => entityCounts(t, data.numEntities));
  const build = (seed?: number): Promise<ModelRuntime> => ModelRuntime.create(
    createModelFor(options.model, { dim: options.dim, numEntities: data.numEntities, numRelations: R, initScale: options.initScale }, backend), seed);
  const global = await build(options.seed);
  const clients: ModelRuntime[] = [];
  for (let k = 0; k < M; k++) {
    const client = await build();
    client.loadParameterArrays(global.parameterArrays(), 'the global model');
    clients.push(client);
  }
  const optimizers = clients.map((c) => new TableOptimizer(options.optimizer, options.learningRate, c.store, c.kernels));
  const references = algorithm === 'fedntd' ? [global] : [];
  const objectives = clients.map((c) => new CandidateDistillObjective(c, references,
    { negatives: options.negatives, distillation: 'not-true', weight: options.beta, temperature: options.temperature, mixing: 'additive' }, backend));
  const queries = parts.map((t) => trainingQueries(t, R));
  const perRound: number[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    clients.forEach((client, k) => {
      if (parts[k]!.length === 0) return;
      copyTables(global, client, 'entity');
      const rng = new SeededRandom(`fed-kge:${options.seed}:${round}:${k}`);
      trainEpochs({ objective: objectives[k]!, optimizer: optimizers[k]!, queries: queries[k]!, batchSize: options.batchSize, sampling: { kind: 'shuffled' } }, options.localEpochs, rng);
    });
    for (const table of global.store.tables()) {
      const locals = clients.map((c) => c.store.table(table.spec.name).data.array);
      if (table.spec.indexedBy === 'entity') aggregateEntities(table.data.array, locals, counts, table.dim);
      else assembleRelations(table.data.array, locals, owners, table.dim);
    }
    const mrr = (await evaluateSplit(global, data, 'test')).filtered.mrr;
    perRound.push(mrr);
    onRound(round, mrr);
  }
  for (const runtime of [global, ...clients]) runtime.dispose(); // their kernel worker threads
  const relationsPerClient = new Array<number>(M).fill(0);
  for (const k of owners) relationsPerClient[k]!++;
  return {
    algorithm,
    perRound,
    mrr: perRound.at(-1) ?? Number.NaN,
    clientTriples: parts.map((t) => t.length / 3),
    clientRelations: relationsPerClient,
    seconds: (performance.now() - started) / 1000,
  };
}

/** FedE vs FedNTD-KGE over seeds: per seed both simulations, then mean ± std of the MRR per round. */
export interface FedKgeComparison {
  kind: 'federated';
  dataset: string;
  options: Omit<FedKgeOptions, 'seed'>;
  seeds: { seed: number; fede: FedKgeResult; fedntd: FedKgeResult }[];
  perRound: { fede: MeanStd[]; fedntd: MeanStd[]; difference: MeanStd[] };
  seconds: number;
}

/** How a divergence names each algorithm's run. */
const RUN_NAMES: Record<FedKgeAlgorithm, string> = { fede: 'FedE run', fedntd: 'FedNTD-KGE run' };

/** Runs both algorithms with the same partition, initialisation and batches for each seed; a divergence names the method, seed and run. */
export async function runFedKgeComparison(data: RunData, options: Omit<FedKgeOptions, 'seed'>, seeds: readonly number[], backend: string,
  log: (line: string) => void = () => undefined): Promise<FedKgeComparison> {
  const started = performance.now();
  const results: FedKgeComparison['seeds'] = [];
  for (const seed of seeds) {
    const run = (algorithm: FedKgeAlgorithm): Promise<FedKgeResult> => portRun(portRunName('fedntd', seed, RUN_NAMES[algorithm]), options.learningRate,
      () => runFedKge(data, algorithm, { ...options, seed }, backend, (round, mrr) => log(`${algorithm} seed ${seed}: round ${round}: global test MRR ${mrr.toFixed(4)}`)));
    const fede = await run('fede');
    const fedntd = await run('fedntd');
    log(`seed ${seed}: clients hold ${fede.clientTriples.join(' / ')} triples (${fede.clientRelations.join(' / ')} relations); FedE ${fede.mrr.toFixed(4)} (${(fede.seconds / 60).toFixed(1)} min), FedNTD ${fedntd.mrr.toFixed(4)} (${(fedntd.seconds / 60).toFixed(1)} min)`);
    results.push({ seed, fede, fedntd });
  }
  const rounds = options.rounds;
  const at = (pick: (r: FedKgeComparison['seeds'][number]) => number[]): MeanStd[] =>
    Array.from({ length: rounds }, (_, i) => meanStd(results.map((r) => pick(r)[i]!)));
  return {
    kind: 'federated',
    dataset: data.datasetName,
    options,
    seeds: results,
    perRound: {
      fede: at((r) => r.fede.perRound),
      fedntd: at((r) => r.fedntd.perRound),
      difference: at((r) => r.fedntd.perRound.map((v, i) => v - r.fede.perRound[i]!)),
    },
    seconds: (performance.now() - started) / 1000,
  };
}
