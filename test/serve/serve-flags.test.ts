// `kgdistill serve`'s security flags: a warning when the API key is given on the command line (visible in ps), the
// per-client connection cap and the Host check's --allowed-host, each with its default in --help.
import { describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { parseAllowedHost, registerServeCommand } from '../../src/cli/commands/serve.js';
import { helpOf } from '../helpers/run-cli.js';

/** Runs `kgdistill serve <args>` in-process (it fails on the missing checkpoint) and returns its stderr. */
async function stderrOf(args: string[]): Promise<string> {
  const program = new Command('kgdistill').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerServeCommand(program);
  let err = '';
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  try {
    await expect(program.parseAsync(['serve', '--checkpoint', '/nonexistent/kgdistill-run', '--port', '0', ...args], { from: 'user' })).rejects.toThrow(/--checkpoint/);
  } finally {
    stderr.mockRestore();
  }
  return err;
}

describe('serve --api-key', () => {
  it('warns on stderr that the key is visible in ps, recommending --api-key-file or $KGDISTILL_API_KEY', async () => {
    vi.stubEnv('KGDISTILL_API_KEY', '');
    try {
      const said = await stderrOf(['--api-key', '0123456789abcdef']);
      expect(said).toMatch(/warning: --api-key puts the key on the command line, where every user of this machine can read it \(ps/);
      expect(said).toContain('--api-key-file <file> or $KGDISTILL_API_KEY');
      expect(said).not.toContain('0123456789abcdef');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('serve --help', () => {
  it('documents the per-client cap, the headers timeout, --allowed-host and the risk of --api-key', () => {
    const help = helpOf(registerServeCommand, ['serve']).replace(/\s+/g, ' ');
    expect(help).toMatch(/--max-connections-per-client <n> connections one client address holds at once, IPv6 by its \/64 .*\(default: 64\)/);
    expect(help).toContain('its headers must come within 5000 ms or this timeout, whichever is shorter');
    expect(help).toMatch(/--allowed-host <names> .*default: only localhost, 127\.0\.0\.1 and \[::1\]/);
    expect(help).toMatch(/--api-key <key> .*visible to every user of this machine in ps .*prefer --api-key-file or \$KGDISTILL_API_KEY/);
  });

  it('--allowed-host takes names, repeated or comma-separated, and refuses anything else naming it', () => {
    expect(parseAllowedHost('kg.local, box.lan:8080', ['a.example'])).toEqual(['a.example', 'kg.local', 'box.lan:8080']);
    expect(parseAllowedHost('[fe80::1]')).toEqual(['[fe80::1]']);
    expect(() => parseAllowedHost('http://kg.local/')).toThrow("'http://kg.local/' is not a host name or address");
    expect(() => parseAllowedHost(' , ')).toThrow('give a host name');
  });
});
