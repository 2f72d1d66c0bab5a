// serve's failed listen in the words of its flags (the EADDRINUSE case also runs as a real process in
// test/serve/drain.test.ts).
import { describe, expect, it } from 'vitest';
import { listenFailure } from '../../src/cli/listen-error.js';
import { registerServeCommand } from '../../src/cli/commands/serve.js';
import { runCli } from '../helpers/run-cli.js';

const failure = (code: string): Error => Object.assign(new Error(`listen ${code}`), { code });

describe('listenFailure', () => {
  it('names the flag and what to do for each known code', () => {
    expect(listenFailure(failure('EADDRINUSE'), '127.0.0.1', 8080).message).toBe('--port 8080: 127.0.0.1:8080 is already in use by another process (choose another --port, or 0 for any free port)');
    expect(listenFailure(failure('EADDRINUSE'), '::1', 8080).message).toBe('--port 8080: [::1]:8080 is already in use by another process (choose another --port, or 0 for any free port)');
    expect(listenFailure(failure('EACCES'), '0.0.0.0', 80).message).toBe('--port 80: listening on 0.0.0.0:80 is not permitted to this user (ports below 1024 need privileges; choose a --port of 1024 or more)');
    expect(listenFailure(failure('EACCES'), '0.0.0.0', 8080).message).toBe('--port 8080: listening on 0.0.0.0:8080 is not permitted to this user (EACCES)'); // no advice about ports below 1024
    expect(listenFailure(failure('EADDRNOTAVAIL'), '10.9.9.9', 8080).message).toBe('--host 10.9.9.9 is not an address of this machine (127.0.0.1 for this machine only, 0.0.0.0 for every interface)');
    expect(listenFailure(failure('ENOTFOUND'), 'no.such.host', 8080).message).toBe('--host no.such.host does not resolve to an address (ENOTFOUND)');
  });

  it('passes any other error on as it is', () => {
    const other = failure('EMFILE');
    expect(listenFailure(other, '127.0.0.1', 8080)).toBe(other);
    expect(listenFailure('text', '127.0.0.1', 8080).message).toBe('text');
  });
});

describe('serve flags refused before anything starts', () => {
  it('names --drain-delay and its bound for a value out of range', async () => {
    const serve = (...args: string[]): Promise<string> => runCli([registerServeCommand], ['serve', '--checkpoint', 'nowhere', ...args]);
    await expect(serve('--drain-delay', '3000000000')).rejects.toThrow("option '--drain-delay <ms>' argument '3000000000' is invalid. expected a non-negative integer below 1000000000, got '3000000000'");
    await expect(serve('--drain-delay', '-1')).rejects.toThrow("expected a non-negative integer below 1000000000, got '-1'");
    await expect(serve('--keep-alive-timeout', '0')).rejects.toThrow("option '--keep-alive-timeout <ms>' argument '0' is invalid");
  });
});
