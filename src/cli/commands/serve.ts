/** `kgdistill serve`: the HTTP JSON API for neighbours and link prediction over one or more trained runs. */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { BACKEND_CHOICES, initBackend, type BackendRequest } from '../../core/backend.js';
import { CheckpointLookup } from '../../lookup/checkpoint-lookup.js';
import { buildServer } from '../../serve/server.js';
import { DEFAULT_MAX_K } from '../../serve/schemas.js';
import { noticeToStderr, positiveInteger } from './lookup-options.js';

interface ServeFlags { checkpoint: string; host: string; port: number; maxK: number; prebuild?: boolean; last?: boolean; backend: BackendRequest; log?: boolean }

/** Names of the runs in the API: directory base names, made unique with -2, -3, …. */
export function servedNames(dirs: readonly string[]): string[] {
  const used = new Set<string>();
  return dirs.map((dir) => {
    const base = path.basename(path.resolve(dir)) || 'model';
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    return name;
  });
}

/** Adds `kgdistill serve`. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('HTTP JSON API (fastify) for neighbours and link prediction over trained runs; loopback only unless --host says otherwise')
    .requiredOption('--checkpoint <run dirs>', 'run directories, comma-separated; each is served under its directory name')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'TCP port', (v: string) => {
      const n = positiveInteger(v);
      if (n > 65535) throw new Error(`port must be at most 65535, got ${n}`);
      return n;
    }, 8080)
    .option('--max-k <n>', 'largest k a request may ask for', positiveInteger, DEFAULT_MAX_K)
    .option('--prebuild', 'build every prediction index before listening (else each is built on first use, answering exactly meanwhile)')
    .option('--last', 'serve the last checkpoints instead of the best ones')
    .option('--log', 'log every request (fastify logger)')
    .addOption(new Option('--backend <name>', 'tfjs backend (model queries)').choices(BACKEND_CHOICES as string[]).default('auto'))
    .action(async (flags: ServeFlags) => {
      const dirs = flags.checkpoint.split(',').map((d) => d.trim()).filter((d) => d !== '');
      if (dirs.length === 0) throw new Error('--checkpoint needs at least one run directory');
      const backend = await initBackend(flags.backend);
      const names = servedNames(dirs);
      const lookups: CheckpointLookup[] = [];
      for (let i = 0; i < dirs.length; i++) {
        const lookup = await CheckpointLookup.open(dirs[i]!, { name: names[i], stem: flags.last ? 'last' : undefined, indexMode: 'background', onNotice: noticeToStderr });
        await lookup.warm(flags.prebuild === true);
        lookups.push(lookup);
      }
      const app = buildServer(lookups, { maxK: flags.maxK, logger: flags.log === true });
      const address = await app.listen({ host: flags.host, port: flags.port });
      process.stderr.write(`kgdistill: serving ${names.join(', ')} at ${address} (backend ${backend}); GET /health, /models, /models/<name>/neighbors, /models/<name>/predict\n`);
      // Exit promptly even while an index is being built in the background (its file is written atomically,
      // so an interrupted build leaves no index file behind, only a build to redo).
      const stop = (): void => {
        void app.close().finally(() => {
          lookups.forEach((l) => l.close());
          process.exit(0);
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
