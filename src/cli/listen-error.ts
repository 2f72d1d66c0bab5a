/**
 * Why `serve` could not take its address, in the words of its flags: Node's `listen EADDRINUSE: address already in
 * use 127.0.0.1:8080` names neither `--port` nor what to do.
 */

/** The error to show for a failed `listen` on host:port (the original error when its code is not one of these). */
export function listenFailure(error: unknown, host: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new Error(`--port ${port}: ${address} is already in use by another process (choose another --port, or 0 for any free port)`);
    case 'EACCES':
      return new Error(`--port ${port}: listening on ${address} is not permitted to this user (${port > 0 && port < 1024 ? 'ports below 1024 need privileges; choose a --port of 1024 or more' : code})`);
    case 'EADDRNOTAVAIL':
      return new Error(`--host ${host} is not an address of this machine (127.0.0.1 for this machine only, 0.0.0.0 for every interface)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new Error(`--host ${host} does not resolve to an address (${code})`);
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}
