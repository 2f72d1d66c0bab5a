/**
 * `/metrics` of the service in Prometheus text format (prom-client, one registry per service): requests by route,
 * method and status, latency histograms by route, requests in flight, readiness, and the state of every
 * checkpoint's neighbour index; plus prom-client's process metrics (CPU, memory, event-loop delay, GC), collected
 * once per process into a registry of their own: prom-client never stops their GC observer and event-loop monitor,
 * so a service's registry given to them stayed reachable, with every model it served, after the service closed.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CheckpointLookup } from '../lookup/checkpoint-lookup.js';
import { neighborSpace } from '../lookup/neighbors.js';

/** Latency buckets in seconds (0.25 ms … 2.5 s). */
const BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** What the index gauge reads at scrape time. */
export interface MetricsSource {
  lookups(): readonly CheckpointLookup[];
  ready(): boolean;
  /** Requests received and not yet answered (the scrape itself included). */
  inFlight(): number;
}

/** The state of a lookup's neighbour index. */
export function indexState(lookup: CheckpointLookup): 'ready' | 'building' | 'failed' | 'missing' {
  const spec = neighborSpace(lookup.metric);
  if (lookup.store.peek(spec)) return 'ready';
  if (lookup.store.isPending(spec)) return 'building';
  return lookup.store.failure(spec) ? 'failed' : 'missing';
}

/** Why a connection was answered before any request reached a route. */
export const REFUSAL_REASONS = ['too-many-connections', 'request-timeout', 'bad-request'] as const;
/** One of REFUSAL_REASONS. */
export type RefusalReason = typeof REFUSAL_REASONS[number];

let processMetrics: Registry | undefined;
/**
 * The process's own metrics (prom-client's defaults) under their standard names (`process_cpu_seconds_total`,
 * `process_resident_memory_bytes`, `nodejs_*`), which dashboards and alerts look for; one registry for every service.
 */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/** The service's metrics; `observe` is called once per answered request. */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route'>;
  private readonly refusals: Counter<'reason'>;
  /** Bound children by label key: the hot path skips prom-client's label hashing. */
  private readonly bound = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();

  constructor(source: MetricsSource) {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'kgdistill_http_requests_total', help: 'HTTP requests answered, by method, route and status', labelNames: ['method', 'route', 'status'], registers });
    this.latency = new Histogram({ name: 'kgdistill_http_request_duration_seconds', help: 'time from receiving a request to its answer, by method and route', labelNames: ['method', 'route'], buckets: BUCKETS, registers });
    this.refusals = new Counter({ name: 'kgdistill_http_refused_total', help: 'connections answered before any request reached a route, by reason (too-many-connections: past --max-connections or --max-connections-per-client; request-timeout: not received whole in time; bad-request: not HTTP)', labelNames: ['reason'], registers });
    for (const reason of REFUSAL_REASONS) this.refusals.inc({ reason }, 0); // each reason shows from the start, at 0
    new Gauge({ name: 'kgdistill_http_requests_in_flight', help: 'requests received and not yet answered', registers, collect() { this.set(source.inFlight()); } });
    new Gauge({ name: 'kgdistill_ready', help: '1 when every model is loaded with its neighbour index and the service is not shutting down', registers, collect() { this.set(source.ready() ? 1 : 0); } });
    new Gauge({ name: 'kgdistill_models_loaded', help: 'checkpoints loaded and served', registers, collect() { this.set(source.lookups().length); } });
    new Gauge({
      name: 'kgdistill_index_state', help: 'state of each checkpoint\'s neighbour index (HNSW) and exact neighbour table (1 for the current state)', labelNames: ['model', 'index', 'state'], registers,
      collect() {
        this.reset();
        for (const lookup of source.lookups()) {
          const current = indexState(lookup);
          for (const state of ['ready', 'building', 'failed', 'missing'] as const) this.set({ model: lookup.name, index: 'neighbors', state }, state === current ? 1 : 0);
          const table = lookup.tableState === 'none' ? 'missing' : lookup.tableState;
          for (const state of ['ready', 'building', 'missing'] as const) this.set({ model: lookup.name, index: 'neighbor-table', state }, state === table ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'kgdistill_index_build_seconds', help: 'seconds the neighbour index took to build (as recorded in its file when loaded), by model and index as kgdistill_index_state, and the space it searches', labelNames: ['model', 'index', 'space'], registers,
      collect() {
        this.reset();
        for (const lookup of source.lookups()) for (const index of lookup.store.loaded()) this.set({ model: lookup.name, index: 'neighbors', space: index.id }, index.buildSeconds);
      },
    });
    processRegistry();
  }

  /** Records one answered request. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let bound = this.bound.get(key);
    if (!bound) {
      bound = { count: this.requests.labels(method, route, String(status)), time: this.latency.labels(method, route) };
      if (this.bound.size < 1000) this.bound.set(key, bound); // routes and statuses are few; never grow without bound
    }
    bound.count.inc();
    bound.time.observe(seconds);
  }

  /** Records one connection refused before routing (connections.ts, framework-errors.ts). */
  refused(reason: RefusalReason): void {
    this.refusals.labels(reason).inc();
  }

  /** The text exposition: the service's metrics, then the process's. */
  async text(): Promise<string> {
    const [service, ofProcess] = await Promise.all([this.registry.metrics(), processRegistry().metrics()]);
    return `${service}${ofProcess}`;
  }
}
