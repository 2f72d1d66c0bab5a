/** Defaults of the service's limits, apart from the server so that `kgdistill serve --help` states them without loading fastify. */

/** Defaults of the limits. */
export const SERVICE_DEFAULTS = {
  rateLimit: { max: 6000, windowMs: 60_000 }, requestTimeoutMs: 10_000, headersTimeoutMs: 5000, keepAliveTimeoutMs: 10_000, maxConnections: 1024,
  maxConnectionsPerClient: 64, bodyLimit: 16 * 1024,
} as const;
