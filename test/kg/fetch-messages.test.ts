// Messages of a failed dataset fetch (review findings F4, F7, F9, F10, F13): the "without network" advice only
// for network errors, a redirect loop, a redirect to a non-HTTP URL, a body cut short and an untrusted
// certificate in their own words; the proxy variables kgdistill ignores named when one is set; a password in a URL
// never shown; a base URL with a query joined correctly; a changed archive blamed, not the files aligned with it;
// a --dir that is a file, and a dangling link, told before downloading. All from servers on 127.0.0.1.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fetchDataset, DatasetFetchError, type FetchOptions } from '../../src/kg/fetch-dataset.js';
import { registerDataCommands } from '../../src/cli/commands/data.js';
import { tempDir } from './helpers.js';
import { REMOTE } from './fetch-fixtures.js';
import { answering, startRawServer, tinyFetchSetup, tinyRecipe, tinySources, TINY_SPLITS, type Answer, type RawServer } from './fetch-tiny.js';
import { helpOf } from '../helpers/run-cli.js';

// A self-signed certificate for 127.0.0.1 (test only), valid until 2126.
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgm7Y8Twwfi1NJSz+j
6Slga8PfDq2zDEHreu0NL0RSr3WhRANCAAT9k1shRHgaRCS6zFEqF7gp79vTy03F
vFPv9chmQRAk3rsta21jzb6ITD4uL3rIippMD49NA2kTRbYkcVXFaVy3
-----END PRIVATE KEY-----
`;
const CERT = `-----BEGIN CERTIFICATE-----
MIIBkDCCATagAwIBAgIUfeoRdQq67/vjR+tI7Vk669xVWyMwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNzAwMDk1MFoYDzIxMjYxMTEz
MDAwOTUwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAT9k1shRHgaRCS6zFEqF7gp79vTy03FvFPv9chmQRAk3rsta21jzb6I
TD4uL3rIippMD49NA2kTRbYkcVXFaVy3o2QwYjAdBgNVHQ4EFgQU1yCxisKUF0Sm
zqSGsSbLLCxoueIwHwYDVR0jBBgwFoAU1yCxisKUF0SmzqSGsSbLLCxoueIwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC
IQCKsYBXtUfowm4bFox5jLvRjDu4QexkMy/VQvCDpZb6pwIgZWrKu1guogVMgw5e
9knGI9Udu3uZ30vkk+siokDbzNU=
-----END CERTIFICATE-----
`;

let answers = new Map<string, Answer>();
let server: RawServer;
let root: string;
let options: () => FetchOptions;
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];
const savedEnv = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]));

/** The DatasetFetchError a fetch of the tiny dataset fails with; the cache is left empty. */
async function failure(fetchOptions: FetchOptions = options()): Promise<DatasetFetchError> {
  const error = await fetchDataset('tiny', fetchOptions).then(() => new Error('expected the fetch to fail'), (e: unknown) => e);
  if (!(error instanceof DatasetFetchError)) throw error;
  expect(fs.existsSync(path.join(root, 'tiny'))).toBe(false);
  return error;
}

const handler = answering(() => answers);

beforeEach(async () => {
  server ??= await startRawServer(handler);
  for (const name of PROXY_VARIABLES) delete process.env[name];
  answers = new Map(await tinySources());
  ({ root, options } = tinyFetchSetup(server));
});
afterEach(() => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('transport failures in their own words (F9)', () => {
  it('a refused connection is a network error, with the offline advice', async () => {
    const closed = await startRawServer(handler);
    await closed.close();
    const error = await failure({ ...options(), baseUrl: closed.url });
    expect(error.reason).toMatch(/^network error \(.*ECONNREFUSED.*\); without network, put the files in .* yourself or point KGDISTILL_DATA_URL \(--url\) at a mirror$/);
  });

  it('a redirect loop: too many redirects, no offline advice', async () => {
    answers.set(REMOTE.wnArchive, (response) => response.writeHead(302, { location: `/${REMOTE.wnArchive}` }).end());
    const error = await failure();
    expect(error.reason).toBe(`too many redirects (more than 20; the last to ${server.url}/${REMOTE.wnArchive})`);
  });

  it('a redirect to a non-HTTP URL is refused, naming it', async () => {
    answers.set(REMOTE.wnArchive, (response) => response.writeHead(302, { location: 'ftp://example.invalid/x.tar.gz' }).end());
    const error = await failure();
    expect(error.reason).toBe('redirected to a non-HTTP URL, ftp://example.invalid/x.tar.gz (refused)');
  });

  it('a redirect to the file is followed', async () => {
    const archive = answers.get(REMOTE.wnArchive) as Buffer;
    answers.set('elsewhere/a.tar.gz', archive);
    answers.set(REMOTE.wnArchive, (response) => response.writeHead(301, { location: '/elsewhere/a.tar.gz' }).end());
    await expect(fetchDataset('tiny', options())).resolves.toMatchObject({ status: 'fetched' });
  });

  it('a connection closed in the middle of a body without Content-Length: the download is truncated', async () => {
    answers.set(REMOTE.wnArchive, (response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.write(Buffer.alloc(1000), () => response.socket?.destroy());
    });
    const error = await failure();
    expect(error.reason).toMatch(/^the connection closed after 1,000 bytes \(download truncated: .*\)$/);
    expect(error.reason).not.toContain('without network');
  });

  it('an untrusted certificate says so and names NODE_EXTRA_CA_CERTS, no offline advice', async () => {
    const secure = await startRawServer(handler, (h) => https.createServer({ key: KEY, cert: CERT }, h));
    const error = await failure({ ...options(), baseUrl: secure.url });
    expect(error.reason).toMatch(/^TLS certificate not trusted \(.*\); for a mirror with a private CA, set NODE_EXTRA_CA_CERTS to its certificate file$/);
  });
});

describe('proxies (F4)', () => {
  it('names the proxy variable kgdistill ignores when the network fails, and --help says so', async () => {
    process.env.HTTPS_PROXY = 'http://proxy.example.invalid:3128';
    const closed = await startRawServer(handler);
    await closed.close();
    const error = await failure({ ...options(), baseUrl: closed.url });
    expect(error.reason).toContain('; HTTPS_PROXY is set, but kgdistill does not use proxies: download the remote files with a tool that does (curl, wget) into a directory with the same paths and fetch with --url file://<that directory>');
    const help = helpOf(registerDataCommands, ['data', 'fetch']).replace(/\s+/g, ' ');
    expect(help).toContain('Proxies: kgdistill does not use HTTPS_PROXY, HTTP_PROXY or ALL_PROXY.');
    expect(help).toContain('--url file://<that directory>');
  });

  it('an HTTP error is not blamed on the proxy', async () => {
    process.env.HTTPS_PROXY = 'http://proxy.example.invalid:3128';
    answers.delete(REMOTE.wnArchive);
    expect((await failure()).reason).toBe('HTTP 404 Not Found');
  });
});

describe('URLs with a password or a query (F13)', () => {
  it('refuses a base URL with a password without ever printing it', async () => {
    const base = server.url.replace('http://', 'http://user:s3cret@');
    const error = await fetchDataset('tiny', { ...options(), baseUrl: base }).then(() => new Error('expected the fetch to fail'), (e: unknown) => e as Error);
    expect(error.message).not.toContain('s3cret');
    expect(error.message).toContain('http://***@127.0.0.1');
    expect(error.message).toContain('holds a user name or password, which kgdistill does not send');
  });

  it('a redirect to a URL with a password is not printed with it', async () => {
    answers.set(REMOTE.wnArchive, (response) => response.writeHead(302, { location: server.url.replace('http://', 'http://u:pw-secret@') + '/x' }).end());
    const error = await failure();
    expect(error.message).not.toContain('pw-secret');
    expect(error.message).toContain('***@127.0.0.1');
  });

  it('keeps the query of a base URL after the joined path', async () => {
    const seen: string[] = [];
    const queried = await startRawServer((request, response) => {
      seen.push(request.url ?? '');
      handler(Object.assign(request, { url: (request.url ?? '').replace(/^\/mirror/, '') }), response);
    });
    const report = await fetchDataset('tiny', { ...options(), baseUrl: `${queried.url}/mirror/?token=abc#frag` });
    expect(report.status).toBe('fetched');
    expect(seen[0]).toBe(`/mirror/${REMOTE.wnArchive}?token=abc`);
  });
});

describe('blame and write failures (F7, F10)', () => {
  it('a changed archive is blamed on the archive (split checksums come before aligning names)', async () => {
    answers = new Map(await tinySources({ ...TINY_SPLITS, 'train.txt': `${TINY_SPLITS['train.txt']}00000004\t_hypernym\t00000001\n` }));
    const error = await failure();
    expect(error.source).toBe(`train.txt (made from ${server.url}/${REMOTE.wnArchive})`);
    expect(error.reason).toMatch(/^bad checksum: SHA-256 is [0-9a-f]{64}, .*SHA256SUMS says [0-9a-f]{64}$/);
  });

  it('a --dir that is a file is told as such', async () => {
    const file = path.join(tempDir(), 'afile');
    fs.writeFileSync(file, 'x\n');
    const error = await fetchDataset('tiny', { ...options(), root: file }).then(() => new Error('expected the fetch to fail'), (e: unknown) => e as Error);
    expect(error.message).toBe(`cannot fetch tiny: ${file}: is a file, expected a directory to create the dataset in`);
  });

  it('a dangling link where the dataset goes is told before downloading; --force replaces it', async () => {
    fs.mkdirSync(root, { recursive: true });
    fs.symlinkSync(path.join(root, 'gone'), path.join(root, 'tiny'));
    const error = await fetchDataset('tiny', options()).then(() => new Error('expected the fetch to fail'), (e: unknown) => e as Error);
    expect(error.message).toBe(`cannot fetch tiny: ${path.join(root, 'tiny')}: is a symbolic link to ${path.join(root, 'gone')}, which does not exist; remove the link, or fetch with --force to replace it`);
    await expect(fetchDataset('tiny', { ...options(), force: true })).resolves.toMatchObject({ status: 'fetched' });
    expect(fs.lstatSync(path.join(root, 'tiny')).isDirectory()).toBe(true);
  });
});
