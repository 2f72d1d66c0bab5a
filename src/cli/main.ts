#!/usr/bin/env node
/** The `kgdistill` command-line tool: one subcommand per job, each registered from its own file. */
import { Command } from 'commander';
import { registerDataCommands } from './commands/data.js';
import { registerTrainCommand } from './commands/train.js';
import { registerEvalCommand } from './commands/eval.js';
import { registerPlotCommand } from './commands/plot.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDistillCommand } from './commands/distill.js';
import { registerNeighborsCommand } from './commands/neighbors.js';
import { registerPredictCommand } from './commands/predict.js';
import { registerServeCommand } from './commands/serve.js';
import { registerKdCommand } from './commands/kd.js';
import { registerExportCommand } from './commands/export.js';
import { errorMessage } from './error-message.js';
import { exitOf, refuseFlagAsValue, throwCommanderExit } from './usage.js';
import { kernelThreads } from '../kernels/kernel-worker.js';

// a reader that stops early (`… | head`) closes the pipe: what it wanted is written, so that ends the command quietly
// (exit 0, as the shell tools do under a pipe) instead of an unhandled EPIPE stack trace
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

const program = new Command('kgdistill')
  .description('Knowledge-graph embeddings and their distillation, in Node.js')
  .version('0.1.0')
  .showHelpAfterError('(add --help for the command\'s options)')
  .configureHelp({ showGlobalOptions: true })
  // before the commands are added, so that each inherits it: commander's usage errors exit 2, as the schemas' do
  .exitOverride(throwCommanderExit);

registerDataCommands(program);
registerTrainCommand(program);
registerEvalCommand(program);
registerDistillCommand(program);
registerPlotCommand(program);
registerDemoCommand(program);
registerNeighborsCommand(program);
registerPredictCommand(program);
registerServeCommand(program);
registerKdCommand(program);
registerExportCommand(program);

// the environment is checked before any command writes a file (a bad KGDISTILL_THREADS stopped a run after its config.json)
program.hook('preAction', () => void kernelThreads());
// a flag missing its value does not take the next flag as its value (`--out --json`), whichever the command
program.hook('preAction', refuseFlagAsValue);

// exit codes: 0 done, 2 a usage error (fix the command line), 1 any other failure; a signal 128 + n (run-training.ts)
program.parseAsync(process.argv).catch((error: unknown) => {
  const { code, print } = exitOf(error);
  if (print) process.stderr.write(`kgdistill: ${errorMessage(error)}\n`);
  process.exitCode = code;
});
