// A closed service's metrics must not keep its models alive: prom-client's default metrics never stop their GC
// observer, so they are collected once per process, apart from each service's registry.
import { describe, expect, it } from 'vitest';
import v8 from 'node:v8';
import vm from 'node:vm';
import { ServiceMetrics, type MetricsSource } from '../../src/serve/metrics.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Builds metrics over a source, scrapes them once and drops them; the WeakRef of the source. */
async function scrapedAndDropped(): Promise<WeakRef<MetricsSource>> {
  const source: MetricsSource & { payload: Float32Array } = { payload: new Float32Array(1 << 20), lookups: () => [], ready: () => true, inFlight: () => 1 };
  const metrics = new ServiceMetrics(source);
  metrics.observe('GET', '/health', 200, 0.001);
  const text = await metrics.text();
  expect(text).toMatch(/kgdistill_http_requests_in_flight 1\n/);
  expect(text).toMatch(/process_resident_memory_bytes \d+/);
  return new WeakRef(source);
}

describe('service metrics', () => {
  it('release their source (the models a service serves) once dropped, while the process metrics go on', async () => {
    const refs = [await scrapedAndDropped(), await scrapedAndDropped()];
    for (let i = 0; i < 5 && refs.some((r) => r.deref() !== undefined); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      gc();
    }
    expect(refs.map((r) => r.deref() === undefined)).toEqual([true, true]);
    const text = await new ServiceMetrics({ lookups: () => [], ready: () => false, inFlight: () => 0 }).text();
    expect(text.match(/^# TYPE process_cpu_seconds_total /gm)).toHaveLength(1); // once, in a third service
    expect(text).toMatch(/^kgdistill_ready 0$/m);
  });
});
