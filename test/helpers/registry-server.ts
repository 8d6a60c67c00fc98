/**
 * Registries for tests: Debian's real `docker-registry` (distribution 2.x) with htpasswd basic
 * auth on a free 127.0.0.1 port, `skopeo copy` to push into it, a bearer-token proxy in front
 * of it, and small scripted fake registries (node:http) for faults a real one will not produce.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out.slice(-2000)}`))));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Status of GET /v2/, or undefined while nothing listens. */
function probe(host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = httpRequest(`http://${host}/v2/`, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
    req.setTimeout(1000, () => req.destroy());
    req.end();
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts `docker-registry` with htpasswd (bcrypt) basic auth and a temporary storage directory. */
export async function startRegistry(credentials: { username: string; password: string } = { username: 'tarsier', password: 's3cret-pw' }): Promise<RunningRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'tarsier-registry-'));
  const htpasswd = await run('htpasswd', ['-Bbn', credentials.username, credentials.password]);
  await writeFile(join(dir, 'htpasswd'), htpasswd);
  // The port is free when we look; another process could take it before the registry binds, so try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const host = `127.0.0.1:${await freePort()}`;
    const config = [
      'version: 0.1',
      'log: {level: error, accesslog: {disabled: true}}',
      `storage: {filesystem: {rootdirectory: "${join(dir, 'storage')}"}, delete: {enabled: true}}`,
      `http: {addr: "${host}"}`,
      `auth: {htpasswd: {realm: tarsier-test, path: "${join(dir, 'htpasswd')}"}}`,
      '',
    ].join('\n');
    await writeFile(join(dir, 'config.yml'), config);
    const child = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    // If the test process dies without stop(), the registry must not outlive it.
    const killOnExit = (): void => void child.kill('SIGKILL');
    process.once('exit', killOnExit);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && child.exitCode === null) {
      if ((await probe(host)) === 401) {
        return {
          host,
          ...credentials,
          async stop() {
            process.off('exit', killOnExit);
            child.kill('SIGTERM');
            const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
            await exited(child);
            clearTimeout(killer);
            await rm(dir, { recursive: true, force: true });
          },
        };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    await exited(child);
    if (!/address already in use/i.test(stderr)) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`docker-registry did not start on ${host}: ${stderr}`);
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error('docker-registry: no free port after 3 attempts');
}

/**
 * `skopeo copy` from an OCI layout to the registry. `all` copies every image of an index;
 * `format: 'v2s2'` converts to a Docker schema 2 manifest.
 */
export async function pushImage(
  registry: RunningRegistry,
  layout: { dir: string; tag: string },
  dest: string,
  options: { all?: boolean; format?: 'oci' | 'v2s2' } = {},
): Promise<void> {
  const args = ['copy', '--insecure-policy', '--quiet', '--dest-creds', `${registry.username}:${registry.password}`, '--dest-tls-verify=false'];
  if (options.all) args.push('--all');
  if (options.format) args.push('--format', options.format);
  args.push(`oci:${layout.dir}:${layout.tag}`, `docker://${registry.host}/${dest}`);
  await run('skopeo', args);
}

export interface HttpTestServer {
  host: string;
  stop(): Promise<void>;
}

/** A node:http server on a free 127.0.0.1 port running `handler`. */
export async function startHttpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<HttpTestServer> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TokenRequestLog {
  scopes: string[];
  service: string | null;
  account: string | null;
}

export interface BearerProxy extends HttpTestServer {
  tokenRequests: TokenRequestLog[];
  /** Registry API requests: path and whether they carried a valid token. */
  apiRequests: Array<{ path: string; authorized: boolean }>;
}

/** The scope a registry API path needs, the way distribution's token auth names it. */
function scopeOf(path: string): string | undefined {
  if (path === '/v2/_catalog') return 'registry:catalog:*';
  const m = /^\/v2\/(.+)\/(?:manifests|blobs|tags)\//.exec(path);
  return m ? `repository:${m[1]}:pull` : undefined;
}

/**
 * A token server and registry front in one: `/token` checks basic credentials and issues a
 * token for the scopes asked; `/v2/*` wants `Bearer <token>` carrying the path's scope (else a
 * 401 challenge naming realm, service and scope) and forwards to `upstream` with its basic auth.
 */
export async function startBearerProxy(upstream: RunningRegistry, options: { username: string; password: string; expiresIn?: number }): Promise<BearerProxy> {
  const tokens = new Map<string, Set<string>>();
  const tokenRequests: TokenRequestLog[] = [];
  const apiRequests: BearerProxy['apiRequests'] = [];
  const upstreamAuth = `Basic ${Buffer.from(`${upstream.username}:${upstream.password}`).toString('base64')}`;
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  let self = '';
  const server = await startHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${self}`);
    if (url.pathname === '/token') {
      const scopes = url.searchParams.getAll('scope');
      tokenRequests.push({ scopes, service: url.searchParams.get('service'), account: url.searchParams.get('account') });
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
        return;
      }
      const token = `tok-${tokenRequests.length}`;
      tokens.set(token, new Set(scopes));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: options.expiresIn ?? 300 }));
      return;
    }
    const scope = scopeOf(url.pathname);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const granted = bearer === undefined ? undefined : tokens.get(bearer);
    const authorized = granted !== undefined && (scope === undefined || granted.has(scope));
    apiRequests.push({ path: url.pathname, authorized });
    if (!authorized) {
      const challenge = `Bearer realm="http://${self}/token",service="tarsier-proxy"${scope ? `,scope="${scope}"` : ''}`;
      res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED' }] }));
      return;
    }
    const headers = { ...req.headers, authorization: upstreamAuth, host: upstream.host };
    const forward = httpRequest(`http://${upstream.host}${url.pathname}${url.search}`, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  self = server.host;
  return { ...server, tokenRequests, apiRequests };
}
