/**
 * `kgdistill serve`: the HTTP JSON API for neighbours and link prediction over one or more trained runs, and the
 * browser explorer at `/` (src/serve/explorer-routes.ts).
 *
 * Life cycle, each step a line on stderr: `start` (pid, checkpoints), `listening` (the real address; health probes
 * answer from here on, `/health/ready` with 503), `ready` (every model loaded with its neighbour index), and on
 * SIGTERM or SIGINT `shutdown`: readiness turns 503, requests are still accepted for `--drain-delay` (0 by default:
 * time for a load balancer to see the 503 and stop sending), then the listener stays open until the accept queue is empty,
 * everything received is answered (pipelined requests included: only a connection's last answer says `Connection:
 * close`), a client still sending gets its 408 at `--request-timeout`, then the process exits (0; 1 if the drain timed out
 * with connections left). A second signal exits at once.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyCheckpoint } from '../../core/checkpoint.js';
import { checkpointStemOf } from '../../registry/load-run.js';
import { firstRepeatedPath } from '../../pipeline/run-config.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { BACKEND_CHOICES, initBackend, type BackendRequest } from '../../core/backend.js';
import { CheckpointLookup } from '../../lookup/checkpoint-lookup.js';
import { SERVICE_DEFAULTS } from '../../serve/service-defaults.js';
import { API_KEY_ENV, ApiKeyFlagError, isLoopback, resolveApiKey } from '../../serve/auth.js';
import { DEFAULT_MAX_K, MAX_MODEL_NAME } from '../../serve/schemas.js';
import { noticeToStderr } from './lookup-options.js';
import { nonNegativeInteger, positiveInteger } from '../integer-flag.js';
import { runReadingOptions } from '../../pipeline/options.js';
import { conflictingOptions, OptionsError, refusedOption } from '../../pipeline/options-error.js';
import { listenFailure } from '../listen-error.js';
import { STOP_SIGNALS } from '../stop-signals.js';
import { servedDatasets } from '../served-datasets.js';

interface ServeFlags {
  checkpoint: string; host: string; port: number; maxK: number; prebuild?: boolean; last?: boolean; backend: BackendRequest; log?: boolean;
  apiKey?: string; apiKeyFile?: string; insecure?: boolean; rateLimit: number; maxConnections: number; requestTimeout: number;
  drainDelay: number; drainTimeout: number; keepAliveTimeout: number; explorer?: boolean; trustProxy?: true | number | string[];
  maxConnectionsPerClient: number; allowedHost?: string[]; dataset?: string;
}

/**
 * Adds the names of one `--allowed-host` (comma-separated; a port is ignored) to those given before; an entry that
 * is not a host name or address is an error naming it.
 */
export function parseAllowedHost(value: string, previous: readonly string[] = []): string[] {
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) throw new InvalidArgumentError('give a host name, e.g. --allowed-host myhost.local');
  for (const entry of entries) {
    if (!/^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.:-]+)(?::\d+)?$/.test(entry)) throw new InvalidArgumentError(`'${entry.slice(0, 100)}' is not a host name or address (e.g. myhost.local, 192.168.1.5)`);
  }
  return [...previous, ...entries];
}

/** The service's API key from the flags or the environment; a key refused for how the flags gave it is a usage error (exit 2). */
function apiKeyOfFlags(flags: { apiKey?: string; apiKeyFile?: string }): { key?: string; source?: string } {
  try {
    return resolveApiKey({ key: flags.apiKey, file: flags.apiKeyFile, env: process.env });
  } catch (error) {
    if (!(error instanceof ApiKeyFlagError)) throw error;
    // the key's own value is never echoed into the problems (a user's error report would carry it)
    throw conflictingOptions(error.message, error.keys, {});
  }
}

/** A refused `--checkpoint` value (`entries`: its runs): a usage error (exit 2). */
const checkpointRefusal = (message: string, entries: readonly string[]): OptionsError => refusedOption(message, 'checkpoint', entries);

/** A name given to a run with `NAME=DIR`: letters, digits, `.`, `_`, `-`. */
const GIVEN_NAME = /^([A-Za-z0-9][A-Za-z0-9._-]{0,99})=(.+)$/;

/**
 * The runs of `--checkpoint`: each `NAME=DIR` entry served as NAME (unless the whole entry is an existing path), the
 * others under their directory's base name, made unique with -2, -3, … (never taking a given name); a name given
 * twice is an OptionsError (a usage error, exit 2).
 */
export function servedRuns(entries: readonly string[]): { name: string; dir: string }[] {
  const given = entries.map((entry) => (existsSync(entry) ? undefined : GIVEN_NAME.exec(entry) ?? undefined));
  const used = new Set<string>();
  for (const match of given) {
    if (!match) continue;
    if (used.has(match[1]!)) throw checkpointRefusal(`--checkpoint names a run '${match[1]}' twice: each name is one run`, entries);
    used.add(match[1]!);
  }
  return entries.map((entry, i) => {
    const match = given[i];
    if (match) return { name: match[1]!, dir: match[2]! };
    const base = path.basename(path.resolve(entry)) || 'model';
    if (base.length > MAX_MODEL_NAME) { // served, it could never be asked for: a request's path takes at most that
      throw checkpointRefusal(`--checkpoint ${entry}: its directory name has ${base.length} characters, more than the ${MAX_MODEL_NAME} a request's path takes: serve it under a shorter name with NAME=DIR`, entries);
    }
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    return { name, dir: entry };
  });
}

/** A life-cycle line on stderr. */
function say(event: string, text: string): void {
  process.stderr.write(`kgdistill serve: ${new Date().toISOString()} ${event}: ${text}\n`);
}

/**
 * A run directory the service can serve: it exists and its checkpoint (best, else last; last with --last) is whole:
 * its header reads and its binary has the size and SHA-256 the header names — checked before the port is taken, so a
 * typo or a damaged file never announces itself as `listening`, nor takes the runs served beside it down once they
 * are loaded (one read of each binary; ~1 s per GB). The full load follows behind /health/ready.
 */
async function requireServableRun(dir: string, last: boolean): Promise<void> {
  try {
    await verifyCheckpoint(dir, checkpointStemOf(dir, last ? 'last' : undefined));
  } catch (error) {
    throw new Error(`--checkpoint ${(error as Error).message}`);
  }
}

/**
 * `--trust-proxy`'s value: a positive number of proxy hops, or proxy addresses and CIDR ranges (IPv4 or IPv6), comma-
 * separated; anything else is an error naming the entry.
 */
export function parseTrustProxy(value: string): number | string[] {
  if (/^\d+$/.test(value)) return positiveInteger(value);
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) throw new InvalidArgumentError('give a number of hops or proxy addresses');
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (family === 0 || !bitsOk || extra !== undefined) throw new InvalidArgumentError(`'${entry}' is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1)`);
  }
  return entries;
}

/** Adds `kgdistill serve`. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('HTTP JSON API (fastify) for neighbours and link prediction over trained runs; loopback only unless --host says otherwise (then with an API key)')
    .requiredOption('--checkpoint <run dirs>', 'run directories, comma-separated; each is served under its directory name, or under NAME when given as NAME=DIR')
    .option('--host <address>', 'address to listen on (anything but loopback needs --api-key, --api-key-file or $' + API_KEY_ENV + ', or --insecure)', '127.0.0.1')
    .option('--port <n>', 'TCP port (0: any free port)', (v: string) => {
      const n = nonNegativeInteger(v);
      if (n > 65535) throw new InvalidArgumentError(`port must be at most 65535, got ${n}`);
      return n;
    }, 8080)
    .option('--api-key <key>', `key every request must present (Authorization: Bearer <key> or X-API-Key); visible to every user of this machine in ps and in shell history: prefer --api-key-file or $${API_KEY_ENV}`)
    .option('--api-key-file <file>', `read the API key from the first line of this file (or give it in $${API_KEY_ENV})`)
    .option('--insecure', 'allow a non-loopback --host without an API key')
    .option('--allowed-host <names>', 'on loopback without an API key, answer requests whose Host header is this name too (repeatable or comma-separated; default: only localhost, 127.0.0.1 and [::1], any port; others get a 403, against DNS rebinding)', parseAllowedHost)
    .option('--max-k <n>', 'largest k a request may ask for', positiveInteger, DEFAULT_MAX_K)
    .option('--rate-limit <n>', 'requests per minute per client address (429 past it; 0: no limit); with an API key, requests without it are counted apart', nonNegativeInteger, SERVICE_DEFAULTS.rateLimit.max)
    .option('--max-connections <n>', 'connections held at once (more get a 503)', positiveInteger, SERVICE_DEFAULTS.maxConnections)
    .option('--max-connections-per-client <n>', 'connections one client address holds at once, IPv6 by its /64 (more get a 503; the proxies of --trust-proxy are outside it)', positiveInteger, SERVICE_DEFAULTS.maxConnectionsPerClient)
    .option('--request-timeout <ms>', `time a client has to send a whole request (408 past it); its headers must come within ${SERVICE_DEFAULTS.headersTimeoutMs} ms or this timeout, whichever is shorter`, positiveInteger, SERVICE_DEFAULTS.requestTimeoutMs)
    .option('--keep-alive-timeout <ms>', 'how long an idle connection is kept open; behind a load balancer set it above the balancer\'s idle timeout (e.g. 65000 behind an AWS ALB\'s 60 s), or it may send on a connection being closed (502s)', positiveInteger, SERVICE_DEFAULTS.keepAliveTimeoutMs)
    .option('--drain-delay <ms>', 'on SIGTERM, SIGINT or SIGHUP, keep accepting this long with /health/ready at 503 before draining, so a load balancer stops sending first (a Kubernetes preStop sleep)', nonNegativeInteger, 0)
    .option('--drain-timeout <ms>', 'on SIGTERM, SIGINT or SIGHUP, longest wait for requests in flight (after --drain-delay) before exiting anyway', positiveInteger, 30_000)
    .option('--trust-proxy [hops|addresses]', 'take client addresses (for the rate limit) from X-Forwarded-For, as appended by the proxies you trust: a number of hops (alone: 1, the nearest proxy), or their addresses or CIDR ranges, comma-separated', parseTrustProxy)
    .option('--dataset <dir|NAME=DIR,…>', "where a run's dataset is now, if it moved since training (default: where it was): names and known triples, for marking known answers and filtered predictions; with several runs, NAME=DIR for each that moved")
    .option('--last', 'serve the last checkpoints instead of the best ones')
    .option('--no-explorer', 'the JSON API alone: no browser explorer at /, and no teacher runs opened for its comparisons')
    .option('--log', 'log every request (fastify logger)')
    .addOption(new Option('--prebuild', 'no effect (predictions need no index since the kernel top-K)').hideHelp())
    .addOption(new Option('--backend <name>', 'tfjs backend (loading; queries run in kernels)').choices(BACKEND_CHOICES as string[]).default('auto'))
    .action(async (flags: ServeFlags) => {
      const entries = flags.checkpoint.split(',').map((d) => d.trim()).filter((d) => d !== '');
      if (entries.length === 0) throw checkpointRefusal('--checkpoint needs at least one run directory', entries);
      const runs = servedRuns(entries);
      const dirs = runs.map((run) => run.dir), names = runs.map((run) => run.name);
      const twice = firstRepeatedPath(dirs);
      if (twice !== undefined) throw checkpointRefusal(`--checkpoint lists ${twice} twice: each run is served once`, entries);
      const datasets = servedDatasets(flags.dataset, names);
      const { key, source } = apiKeyOfFlags(flags);
      if (flags.apiKey !== undefined) say('warning', `--api-key puts the key on the command line, where every user of this machine can read it (ps, /proc/${process.pid}/cmdline) and shell history keeps it: give it with --api-key-file <file> or $${API_KEY_ENV} instead`);
      const loopback = isLoopback(flags.host);
      if (!loopback && key === undefined && !flags.insecure) {
        throw conflictingOptions(`--host ${flags.host} accepts connections from other machines: give an API key (--api-key, --api-key-file or $${API_KEY_ENV}), or --insecure to serve without one`,
          ['host', 'apiKey', 'apiKeyFile', 'insecure'], { ...flags });
      }
      for (const dir of dirs) await requireServableRun(dir, flags.last === true); // before the port is taken
      const startedAt = performance.now();
      say('start', `pid ${process.pid}, checkpoints ${names.map((name, i) => `${name} (${dirs[i]})`).join(', ')}`); // which directory each served name is
      const backend = await initBackend(flags.backend);
      // fastify and the metrics are loaded when a service starts, not at every command's start (`serve --help` included)
      const { buildServer, connectionsOf, ServedModels } = await import('../../serve/server.js');
      const models = new ServedModels(names);
      const app = buildServer(models, {
        maxK: flags.maxK, logger: flags.log === true, apiKey: key, rateLimit: { max: flags.rateLimit, windowMs: 60_000 },
        maxConnections: flags.maxConnections, maxConnectionsPerClient: flags.maxConnectionsPerClient, host: flags.host, allowedHosts: flags.allowedHost ?? [], requestTimeoutMs: flags.requestTimeout, keepAliveTimeoutMs: flags.keepAliveTimeout, trustProxy: flags.trustProxy === true ? 1 : flags.trustProxy,
        ...(flags.explorer === false ? { explorer: false as const } : {}),
      });
      const lookups: CheckpointLookup[] = [];
      let stopping = false;
      const stop = (signal: keyof typeof STOP_SIGNALS): void => {
        if (signal === 'SIGHUP') process.stderr.on('error', () => undefined); // the terminal may be gone: nowhere to report to
        if (stopping) {
          say('shutdown', `${signal} again: exiting now`);
          process.exit(128 + STOP_SIGNALS[signal]); // as a shell reports a process the signal ended (the README's table)
        }
        stopping = true;
        const guard = connectionsOf(app);
        guard.closing = true; // /health/ready answers 503 and every answer carries Connection: close from here on
        if (flags.drainDelay > 0) say('shutdown', `${signal}: not ready any more; still accepting for ${flags.drainDelay} ms (--drain-delay) before draining`);
        const draining = (): string => `draining ${guard.inFlight} requests in flight on ${guard.connections} connections`;
        void sleep(flags.drainDelay).then(() => {
          say('shutdown', flags.drainDelay > 0 ? draining() : `${signal}: not ready any more; ${draining()}`);
          return guard.drain(() => app.close(), flags.drainTimeout);
        }).then((report) => {
          lookups.forEach((l) => l.close());
          say('shutdown', `answered ${report.answered} requests since start, ${report.answeredDuringDrain} during the drain (${report.inFlight} in flight ${flags.drainDelay > 0 ? 'when the drain began' : `at ${signal}`}), ${report.dropped} connections dropped, ${report.abandoned} requests left unanswered by a closed connection, ${report.refused} refused once it stopped accepting (503), in ${report.seconds.toFixed(2)} s; exiting`);
          process.exit(report.dropped > 0 ? 1 : 0);
        }).catch((error: unknown) => {
          say('shutdown', `failed: ${(error as Error).message}; exiting`);
          process.exit(1);
        });
      };
      for (const signal of Object.keys(STOP_SIGNALS) as (keyof typeof STOP_SIGNALS)[]) process.on(signal, () => stop(signal)); // SIGHUP too, as training
      try {
        await app.listen({ host: flags.host, port: flags.port });
      } catch (error) {
        await app.close().catch(() => undefined);
        throw listenFailure(error, flags.host, flags.port);
      }
      const bound = app.server.address();
      const where = typeof bound === 'object' && bound ? `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}` : String(bound);
      const scope = loopback ? 'this machine only' : ['0.0.0.0', '::'].includes(bound && typeof bound === 'object' ? bound.address : '') ? 'all interfaces' : 'reachable from other machines';
      say('listening', `${where} (${scope}; ${key ? `API key from ${source}` : 'no API key'}); /health/ready answers 503 until the models are loaded; ${flags.explorer === false ? 'no explorer (--no-explorer)' : `the explorer is at ${where}/`}`);
      let loading = 0; // the run being loaded, named when it fails
      try {
        for (let i = 0; i < dirs.length && !stopping; i = ++loading) {
          const lookup = await CheckpointLookup.open(dirs[i]!, { name: names[i], stem: flags.last ? 'last' : undefined, indexMode: 'background', onNotice: noticeToStderr, reading: runReadingOptions(dirs[i]!, noticeToStderr), dataset: datasets[i] });
          lookups.push(lookup);
          // ready once the index is loaded: the exact 32-NN table (O(N²), ~20 s of a core at 41k entities) is built
          // after, while the index answers
          await lookup.warm({ table: 'background' });
          if (lookup.indexProblem) noticeToStderr(`${lookup.name}: no HNSW index, neighbours are answered exactly (slower on large graphs): ${lookup.indexProblem.message}`);
          models.add(lookup);
        }
      } catch (error) {
        const failure = `loading ${names[loading]} (${dirs[loading]}): ${(error as Error).message}`;
        models.failure = failure;
        say('shutdown', `${failure}; the listener closes, exiting`);
        lookups.forEach((l) => l.close());
        await app.close();
        throw new Error(failure, { cause: error });
      }
      if (stopping) return;
      const described = lookups.map((l) => `${l.name} (${l.header.model.model} d=${l.header.model.dim}, ${l.table.count.toLocaleString('en-US')} entities)`);
      say('ready', `serving ${described.join(', ')} at ${where} after ${((performance.now() - startedAt) / 1000).toFixed(1)} s (backend ${backend}); GET /health/ready, /metrics, /models, /models/<name>/neighbors, /models/<name>/predict`);
    });
}
