import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { buildServer } from '../../src/serve/server.js';

describe('serve: building the service', () => {
  it('prints no deprecation warning (fastify options in their current form), with and without a logger', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error & { code?: string }): void => { warnings.push(`${warning.code ?? warning.name}: ${warning.message}`); };
    process.on('warning', onWarning);
    try {
      const stream = new Writable({ write(_chunk, _encoding, callback) { callback(); } });
      for (const app of [buildServer([]), buildServer([], { logger: { stream } })]) {
        await app.ready();
        expect((await app.inject('/health/live')).statusCode).toBe(200);
        await app.close();
      }
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });
});
