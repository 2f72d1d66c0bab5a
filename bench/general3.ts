/**
 * `npm run bench:general3`: the tables of general distillation part 2, second half (issue 9) on the digits,
 * 3 seeds each, mean ± std: online stream distillation (adaptive vs fixed teacher strides, with SVG curves of the
 * teacher-query rate and the student's accuracy over the stream), detection-style KD (baseline, full loss and
 * ablations), the SimCLRv2 pipeline at 1% and 10% labels (every stage), and FedX vs FedAvg + NT-Xent (linear
 * probe, with an SVG of the probe per round). Runs the same code with the same seeds as `kgdistill kd stream`,
 * `det-kd`, `simclrv2` and `fedx`, so each row's command reproduces its figures. Prints markdown and a JSON line.
 * Usage: node dist/bench/general3.js [--seeds n] [--out-dir dir (default runs/general3)] [--only stream|det-kd|simclrv2|fedx]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../src/core/backend.js';
import { loadDigits } from '../src/general/images/data/digits.js';
import { stratifiedSplit } from '../src/general/images/data/split.js';
import { runDetectionStudy } from '../src/general/images/detection/experiment.js';
import type { DetectionScores } from '../src/general/images/detection/training.js';
import { randomEncoderProbe, runFedx } from '../src/general/images/fedx/simulation.js';
import { detectionMethod, detectionSets } from '../src/general/images/methods/detection.js';
import { fedxConfig, fedxMethod } from '../src/general/images/methods/fedx.js';
import { simclrSettingsOf, simclrV2Method } from '../src/general/images/methods/simclrv2.js';
import { streamMethod, streamSettingsOf } from '../src/general/images/methods/stream.js';
import { runSimclrPipeline, type FractionResult } from '../src/general/images/simclr/pipeline.js';
import { controllerFor, prepareStream, runSchedule } from '../src/general/images/stream/experiment.js';
import { movingAverage, streamAccuracy, type StreamRunResult } from '../src/general/images/stream/online-distill.js';
import { meanStd } from '../src/general/stats.js';
import { formatMeanStd } from '../src/cli/kd-tables.js';
import { renderLineChartSvg, type ChartPoint } from '../src/cli/svg-chart.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const { values: { seeds: seedCount, 'out-dir': outDir, only } } = benchArgs('general3', {
  flags: {
    seeds: { type: 'integer', default: 3, min: 1 },
    'out-dir': { type: 'string', default: 'runs/general3' }, // not dist/, which the package publishes
    only: { type: 'string', choices: ['stream', 'det-kd', 'simclrv2', 'fedx'] },
  },
});
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const pct = (values: number[], signed = false): string => formatMeanStd(meanStd(values), { percent: true, signed, digits: 1 });
const minutesSince = (t0: number): string => ((performance.now() - t0) / 60000).toFixed(1);
const run = (name: string): boolean => only === undefined || only === name;

const started = performance.now();
const backend = await initBackend('auto');
const data = await loadDigits('digits');
const { train, test } = stratifiedSplit(data, 0.25, 0);
const seeds = Array.from({ length: seedCount }, (_, i) => i);
const budgetOf = (epochs: number): { epochs: number; batchSize: number; learningRate: number } => ({ epochs, batchSize: 64, learningRate: 0.003 });
const lines: string[] = [];
const json: Record<string, unknown> = { bench: 'general3', date: new Date().toISOString(), backend, seeds: seedCount };
mkdirSync(outDir, { recursive: true });

async function writeChart(file: string, points: ChartPoint[], title: string, x: string, y: string): Promise<string> {
  const target = path.join(outDir, file);
  writeFileSync(target, await renderLineChartSvg(points, { title, x, y }));
  return target;
}

if (run('stream')) {
  const t0 = performance.now();
  const params = streamMethod.schema.parse({}) as Parameters<typeof streamSettingsOf>[0];
  const settings = streamSettingsOf(params);
  const strides = [2, 4, 8, 16];
  const runs: Record<string, StreamRunResult[]> = { adaptive: [] };
  for (const k of strides) runs[`fixed ${k}`] = [];
  const teacher: number[] = [];
  const frozen: number[] = [];
  for (const seed of seeds) {
    const setup = prepareStream(train, test, 'mlp', budgetOf(streamMethod.defaultEpochs), params.pretrainEpochs, settings, seed);
    try {
      teacher.push(streamAccuracy(setup.teacher, setup.frames));
      frozen.push(streamAccuracy(setup.student, setup.frames));
      runs.adaptive!.push(runSchedule(setup, 'mlp', controllerFor(params), params.onlineLr, seed));
      for (const k of strides) runs[`fixed ${k}`]!.push(runSchedule(setup, 'mlp', controllerFor(params, k), params.onlineLr, seed));
      log(`stream bench: seed ${seed}: adaptive ${runs.adaptive!.at(-1)!.accuracy.toFixed(4)} at ${runs.adaptive!.at(-1)!.teacherFraction.toFixed(3)}`);
    } finally {
      setup.dispose();
    }
  }
  lines.push(`### Online stream distillation (JITNet-style; ${settings.frames} frames × ${settings.frameSize} test digits, scenes of ${settings.sceneLength} frames with ${settings.classesPerScene} classes, rotation ±${settings.maxDegrees}°, shift ±${settings.maxShift}, noise ≤ ${settings.maxNoise}; mlp teacher ${streamMethod.defaultEpochs} epochs with augmentation, mlp student pre-trained ${params.pretrainEpochs} epochs on clean digits; threshold ${params.threshold}, u_max ${params.maxUpdates}; ${seedCount} seeds)`, '');
  lines.push('| schedule | student accuracy over the stream % | frames labelled by the teacher % | student updates per frame | command |');
  lines.push('|---|---|---|---|---|');
  lines.push(`| teacher on every frame (no student) | ${pct(teacher)} | 100 | — | (extra \`teacher\` of the stream run) |`);
  lines.push(`| pre-trained student, never updated | ${pct(frozen)} | 0 | 0 | (extra \`noAdaptation\`) |`);
  const table: Record<string, unknown> = {};
  for (const [name, results] of Object.entries(runs)) {
    const command = name === 'adaptive' ? `\`kgdistill kd stream --seeds ${seedCount}\`` : `\`kgdistill kd stream --seeds ${seedCount} --param fixedStride=${name.split(' ')[1]}\` (baseline)`;
    const label = name === 'adaptive' ? `adaptive stride δ ∈ [${params.minStride}, ${params.maxStride}] (Algorithm 1)` : `fixed stride ${name.split(' ')[1]}`;
    lines.push(`| ${label} | ${pct(results.map((r) => r.accuracy))} | ${pct(results.map((r) => r.teacherFraction))} | ${meanStd(results.map((r) => r.totalUpdates / settings.frames)).mean.toFixed(2)} | ${command} |`);
    table[name] = results.map((r) => ({ accuracy: r.accuracy, teacherFraction: r.teacherFraction, updates: r.totalUpdates }));
  }
  const window = 50;
  const rate: ChartPoint[] = [];
  const acc: ChartPoint[] = [];
  for (const name of ['adaptive', 'fixed 8']) {
    const perSeedRate = runs[name]!.map((r) => movingAverage(r.keyframes, window));
    const perSeedAcc = runs[name]!.map((r) => movingAverage(r.perFrame, window));
    for (let t = window - 1; t < settings.frames; t += 10) {
      rate.push({ epoch: t + 1, value: meanStd(perSeedRate.map((s) => s[t]!)).mean, series: name });
      acc.push({ epoch: t + 1, value: meanStd(perSeedAcc.map((s) => s[t]!)).mean, series: name });
    }
  }
  const rateSvg = await writeChart('stream-teacher-rate.svg', rate, `Teacher-query rate over the stream (trailing ${window} frames, mean of ${seedCount} seeds; scene cut every ${settings.sceneLength})`, 'frame', 'fraction of frames labelled by the teacher');
  const accSvg = await writeChart('stream-accuracy.svg', acc, `Student accuracy over the stream (trailing ${window} frames, mean of ${seedCount} seeds)`, 'frame', 'student accuracy');
  lines.push('', `Stream table: ${minutesSince(t0)} min; curves in \`${rateSvg}\` and \`${accSvg}\`.`, '');
  json.stream = { minutes: Number(minutesSince(t0)), teacher, frozen, table, svg: [rateSvg, accSvg] };
}

if (run('det-kd')) {
  const t0 = performance.now();
  const params = detectionMethod.schema.parse({});
  const epochs = detectionMethod.defaultEpochs;
  const variants = { full: params, 'no hint (γ = 0)': { ...params, gamma: 0 }, 'classification KD only (γ = 0, ν = 0)': { ...params, gamma: 0, nu: 0 } };
  const rows: Record<string, DetectionScores[]> = { teacher: [], baseline: [] };
  let sizes = '';
  for (const seed of seeds) {
    const ctx = { train, test, seed, budget: budgetOf(epochs), arch: 'mlp' as const, params, log };
    const sets = detectionSets(ctx);
    sizes = `${sets.train.n} train / ${sets.test.n} test images, ${Math.round((100 * params.backgroundRatio) / (1 + params.backgroundRatio))}% background`;
    const study = runDetectionStudy(sets.train, sets.test, 'mlp', ctx.budget, seed, { baseline: true, lambda: params.lambda, variants });
    rows.teacher!.push(study.teacher!);
    rows.baseline!.push(study.baseline!);
    for (const [name, scores] of Object.entries(study.variants)) (rows[name] ??= []).push(scores);
    log(`det-kd bench: seed ${seed}: baseline ${study.baseline!.balanced.toFixed(4)}, full ${study.variants.full!.balanced.toFixed(4)}`);
  }
  lines.push(`### Detection-style KD on digits (Chen et al. 2017; ${sizes}; mlp, ${epochs} epochs; λ = ${params.lambda}, μ = ${params.mu}, w_bg = ${params.backgroundWeight}, ν = ${params.nu}, γ = ${params.gamma}; ${seedCount} seeds, %)`, '');
  lines.push('| model | balanced detection acc. | Δ vs baseline (paired) | object recall (class ∧ IoU ≥ 0.5) | background acc. | mean IoU | 11-way class acc. | command |');
  lines.push('|---|---|---|---|---|---|---|---|');
  const commands: Record<string, string> = {
    teacher: '(extra `teacher`)', baseline: `kgdistill kd det-kd --seeds ${seedCount}`, full: `kgdistill kd det-kd --seeds ${seedCount}`,
    'no hint (γ = 0)': `kgdistill kd det-kd --seeds ${seedCount} --param gamma=0`, 'classification KD only (γ = 0, ν = 0)': `kgdistill kd det-kd --seeds ${seedCount} --param gamma=0 --param nu=0`,
  };
  const names: Record<string, string> = { teacher: 'teacher (wide), CE + smooth-L1', baseline: 'student, CE + smooth-L1 (baseline)', full: 'student, weighted KD + bounded regression + hint' };
  for (const [name, scores] of Object.entries(rows)) {
    const delta = name === 'teacher' || name === 'baseline' ? '' : pct(scores.map((s, i) => s.balanced - rows.baseline![i]!.balanced), true);
    const command = commands[name]!.startsWith('(') ? commands[name] : `\`${commands[name]}\``;
    lines.push(`| ${names[name] ?? `student, ${name}`} | ${pct(scores.map((s) => s.balanced))} | ${delta} | ${pct(scores.map((s) => s.objectRecall))} | ${pct(scores.map((s) => s.background))} | ${pct(scores.map((s) => s.meanIou))} | ${pct(scores.map((s) => s.accuracy))} | ${command} |`);
  }
  lines.push('', `Detection table: ${minutesSince(t0)} min.`, '');
  json.detection = { minutes: Number(minutesSince(t0)), rows };
}

if (run('simclrv2')) {
  const t0 = performance.now();
  const params = simclrV2Method.schema.parse({});
  const settings = simclrSettingsOf(params);
  const fractions = [0.01, 0.1];
  const probes: number[] = [];
  const byFraction: FractionResult[][] = fractions.map(() => []);
  for (const seed of seeds) {
    const r = runSimclrPipeline(train, test, 'mlp', budgetOf(simclrV2Method.defaultEpochs), settings, seed, fractions, log);
    probes.push(r.probe);
    r.fractions.forEach((f, i) => byFraction[i]!.push(f));
  }
  lines.push(`### SimCLRv2 pipeline on digits (mlp; big net = mlp-teacher + 3-layer head, ${simclrV2Method.defaultEpochs} epochs NT-Xent τ = ${settings.temperature}; fine-tuning ${settings.finetuneEpochs} epochs from head layer ${settings.depth}; distillation ${settings.distillEpochs} epochs into mlp-student on the unlabelled rest, τ = ${settings.distillTemperature}; ${seedCount} seeds, test accuracy %)`, '');
  lines.push(`Stage 1, pre-trained big encoder, linear probe on all ${train.n} training labels: ${pct(probes)}.`, '');
  lines.push('| labels | big net on labels alone | fine-tuned from encoder output | fine-tuned from head middle layer (teacher) | small net on labels alone (baseline) | distilled small net | Δ distilled − baseline (paired) | command |');
  lines.push('|---|---|---|---|---|---|---|---|');
  fractions.forEach((fraction, i) => {
    const f = byFraction[i]!;
    lines.push(`| ${fraction * 100}% (${f[0]!.labelled}) | ${pct(f.map((r) => r.bigSupervised))} | ${pct(f.map((r) => r.teacherFromEncoder))} | ${pct(f.map((r) => r.teacher))} | ${pct(f.map((r) => r.studentSupervised))} | ${pct(f.map((r) => r.student))} | ${pct(f.map((r) => r.student - r.studentSupervised), true)} | \`kgdistill kd simclrv2 --seeds ${seedCount} --param labelFraction=${fraction}\` |`);
  });
  lines.push('', `SimCLRv2 table: ${minutesSince(t0)} min.`, '');
  json.simclrv2 = { minutes: Number(minutesSince(t0)), probes, fractions: byFraction };
}

if (run('fedx')) {
  const t0 = performance.now();
  const rounds = fedxMethod.defaultEpochs;
  const points: ChartPoint[] = [];
  const results: Record<string, unknown> = {};
  lines.push(`### FedX vs FedAvg + NT-Xent (unsupervised, digits; 10 clients, Dirichlet α, fraction 0.5, 2 local epochs of SGD 0.1 momentum 0.9, ${rounds} rounds; mlp-student encoder (16-d feature); linear probe on the global encoder, ${seedCount} seeds, %)`, '');
  lines.push('| α | random encoder | FedAvg + NT-Xent (baseline) | FedX | Δ FedX − FedAvg (paired) | command |');
  lines.push('|---|---|---|---|---|---|');
  for (const alpha of [0.5, 0.1]) {
    const params = fedxMethod.schema.parse({ alpha, probeEvery: 5 });
    const finals: Record<'fedavg' | 'fedx', number[]> = { fedavg: [], fedx: [] };
    const random: number[] = [];
    const curves: Record<'fedavg' | 'fedx', number[][]> = { fedavg: [], fedx: [] };
    let probedRounds: number[] = [];
    for (const seed of seeds) {
      const ctx = { train, test, seed, budget: budgetOf(rounds), arch: 'mlp' as const, params, log };
      for (const algorithm of ['fedavg', 'fedx'] as const) {
        const r = runFedx(train, test, fedxConfig(ctx, algorithm));
        finals[algorithm].push(r.accuracy);
        curves[algorithm].push(r.probes.map((p) => p.accuracy));
        probedRounds = r.probes.map((p) => p.round);
      }
      random.push(randomEncoderProbe(train, test, fedxConfig(ctx, 'fedx')));
      log(`fedx bench: α=${alpha} seed ${seed}: fedavg ${finals.fedavg.at(-1)!.toFixed(4)}, fedx ${finals.fedx.at(-1)!.toFixed(4)}`);
    }
    for (const algorithm of ['fedavg', 'fedx'] as const) {
      const series = `${algorithm === 'fedx' ? 'FedX' : 'FedAvg + NT-Xent'}, α = ${alpha}`;
      probedRounds.forEach((round, i) => points.push({ epoch: round, value: meanStd(curves[algorithm].map((c) => c[i]!)).mean, series }));
    }
    lines.push(`| ${alpha} | ${pct(random)} | ${pct(finals.fedavg)} | ${pct(finals.fedx)} | ${pct(finals.fedx.map((v, i) => v - finals.fedavg[i]!), true)} | \`kgdistill kd fedx --seeds ${seedCount} --param alpha=${alpha}\` |`);
    results[String(alpha)] = { finals, random, curves };
  }
  const svg = await writeChart('fedx-probe-rounds.svg', points, `Linear probe of the global encoder per round (digits, mean of ${seedCount} seeds)`, 'communication round', 'linear-probe accuracy');
  lines.push('', `FedX table: ${minutesSince(t0)} min; probe-per-round plot in \`${svg}\`.`, '');
  json.fedx = { minutes: Number(minutesSince(t0)), results, svg };
}

lines.push(`Total ${minutesSince(started)} min on backend ${backend}; \`npm run bench:general3\`.`);
console.log(lines.join('\n'));
console.log(JSON.stringify(json));
