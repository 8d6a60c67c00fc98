/**
 * API benchmark (issue #7): with 10,000 images and 1,000,000 sensitive findings in a fresh
 * PostgreSQL database, autocannon loads `GET /v5/{project_id}/image/{image_id}/sensitive` and the
 * Alibaba `DescribeImageSensitiveFileByKey` with realistic query mixes against `tarsier serve`,
 * next to a Fastify hello-world measured on the same machine in the same run (before and after).
 * Servers run in their own processes; the database is dropped afterwards.
 *
 * PostgreSQL: BENCH_DATABASE_URL, else TEST_DATABASE_URL's server, else postgres@127.0.0.1:5432.
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../src/store/open-store.js';
import { backendPids, cpuSpent, sampleCpu } from './api/cpu.js';
import { alibabaByKeyMix, hssSensitiveMix, runLoad, type LoadOptions, type LoadResult } from './api/load.js';
import { seedApiData, type SeededData } from './api/seed.js';
import { startHelloWorld, startTarsier, type ServerProcess } from './api/server-process.js';
import type { Bench, BenchRow } from './types.js';

const CONNECTIONS = 10;
const P99_TARGET_MS = 50;
const RPS_SHARE_TARGET = 0.25;

function serverUrl(database: string): string {
  const u = new URL(process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl('postgres') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Runs a server for the duration of `fn`, whatever happens. */
async function withServer<T>(start: () => Promise<ServerProcess>, fn: (s: ServerProcess) => Promise<T>): Promise<T> {
  const server = await start();
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

interface Measured extends LoadResult {
  /** CPU milliseconds per request: the server process, its PostgreSQL backends, the load generator. */
  cpu: { server?: number; db?: number; client: number };
}

/**
 * A warm-up run (JIT, connection pool, PostgreSQL's cache), then the measured one, with the CPU
 * the server and its database backends spent on it.
 */
async function measure(o: LoadOptions, warmSeconds: number, server: ServerProcess, database?: string): Promise<Measured> {
  await runLoad({ ...o, seconds: warmSeconds });
  const dbPids = database ? await backendPids(serverUrl('postgres'), database) : [];
  const before = { server: sampleCpu([server.pid]), db: sampleCpu(dbPids), client: process.cpuUsage() };
  const r = await runLoad(o);
  const client = process.cpuUsage(before.client);
  const per = (ms: number | undefined) => (ms === undefined || r.requests === 0 ? undefined : ms / r.requests);
  return {
    ...r,
    cpu: {
      server: per(cpuSpent(before.server, sampleCpu([server.pid]))),
      db: database ? per(cpuSpent(before.db, sampleCpu(dbPids))) : undefined,
      client: (client.user + client.system) / 1000 / Math.max(1, r.requests),
    },
  };
}

/** One request of each mix must answer 200 with findings before anything is timed. */
async function sanityCheck(url: string, data: SeededData): Promise<void> {
  const big = data.images.reduce((a, b) => (b.findings > a.findings ? b : a));
  const hss = hssSensitiveMix({ ...data, images: [big] }, 1)();
  const r = await fetch(url + hss.path, { headers: hss.headers });
  const body = (await r.json()) as { total_num?: number; data_list?: unknown[] };
  if (r.status !== 200 || !body.total_num || body.data_list?.length === 0) throw new Error(`sanity: ${hss.path} answered ${r.status} ${JSON.stringify(body).slice(0, 300)}`);
  const ali = await fetch(`${url}/?Action=DescribeImageSensitiveFileByKey&Version=2018-12-03&ImageUuid=${big.id}`, { method: 'POST', headers: hss.headers });
  const aliBody = (await ali.json()) as { PageInfo?: { TotalCount?: number } };
  if (ali.status !== 200 || !aliBody.PageInfo?.TotalCount) throw new Error(`sanity: DescribeImageSensitiveFileByKey answered ${ali.status} ${JSON.stringify(aliBody).slice(0, 300)}`);
}

const bench: Bench = async ({ workDir, quick }) => {
  const size = quick ? { images: 1_000, findings: 100_000 } : { images: 10_000, findings: 1_000_000 };
  const seconds = quick ? 5 : 20;
  const warm = quick ? 2 : 5;
  const database = `tarsier_bench_api_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${database}`));
  try {
    const url = serverUrl(database);
    const store = await openStore({ databaseUrl: url });
    let data: SeededData;
    try {
      data = await seedApiData(store, size);
    } finally {
      await store.close();
    }
    const loadBefore = loadavg();

    const hello1 = await withServer(startHelloWorld, (s) => measure({ url: s.url, seconds, connections: CONNECTIONS }, warm, s));
    const [hss, ali] = await withServer(
      () => startTarsier(url, join(workDir, 'data')),
      async (s) => {
        await sanityCheck(s.url, data);
        const h = await measure({ url: s.url, seconds, connections: CONNECTIONS, next: hssSensitiveMix(data) }, warm, s, database);
        const a = await measure({ url: s.url, seconds, connections: CONNECTIONS, next: alibabaByKeyMix(data) }, warm, s, database);
        return [h, a] as const;
      },
    );
    const hello2 = await withServer(startHelloWorld, (s) => measure({ url: s.url, seconds, connections: CONNECTIONS }, warm, s));
    const floor = (hello1.requestsPerSecond + hello2.requestsPerSecond) / 2;
    const helloCpu = ((hello1.cpu.server ?? NaN) + (hello2.cpu.server ?? NaN)) / 2;
    // What the CPU figures predict for this machine with nothing else running: cores / CPU per request (client included).
    const capacity = (m: Measured, serverMs: number) => (cpus().length * 1000) / (serverMs + m.cpu.client);
    const helloCapacity = capacity(hello1, helloCpu);

    const rows: BenchRow[] = [{ metric: 'Fastify hello-world (floor, mean of before/after)', value: floor, unit: 'req/s' }];
    for (const [name, r] of [
      ['HSS GET …/image/{image_id}/sensitive', hss],
      ['Alibaba DescribeImageSensitiveFileByKey', ali],
    ] as const) {
      rows.push(
        { metric: `${name}: throughput`, value: r.requestsPerSecond, unit: 'req/s', baseline: { name: 'hello-world', value: floor }, target: `≥ ${RPS_SHARE_TARGET * 100}% of floor`, pass: r.requestsPerSecond >= RPS_SHARE_TARGET * floor },
        { metric: `${name}: p99 latency`, value: r.p99, unit: 'ms', baseline: { name: 'hello-world', value: Math.max(hello1.p99, hello2.p99) }, target: `≤ ${P99_TARGET_MS} ms`, pass: r.p99 <= P99_TARGET_MS },
        { metric: `${name}: p50 latency`, value: r.p50, unit: 'ms' },
      );
      const serverCpu = (r.cpu.server ?? NaN) + (r.cpu.db ?? NaN);
      rows.push({ metric: `${name}: CPU per request, server + PostgreSQL`, value: serverCpu, unit: 'ms', baseline: { name: 'hello-world server', value: helloCpu } });
      if (r.non2xx + r.errors > 0) rows.push({ metric: `${name}: non-2xx / errors`, value: r.non2xx + r.errors, unit: 'responses', target: '0', pass: false });
    }
    const c = data.counts;
    return {
      title: `API: sensitive endpoints over ${c.images.toLocaleString('en-US')} images and ${c.findings.toLocaleString('en-US')} findings (PostgreSQL)`,
      rows,
      notes: [
        `data: ${c.images} images (${c.manifests} manifests, 5 projects, 2 enterprise projects, all image types), ${c.findings} findings, ${c.sightings} sightings, ${c.handled} handled fingerprints, ${c.whitelist} whitelist paths; generated in ${data.seconds.toFixed(1)} s; largest image ${Math.max(...data.images.map((i) => i.findings))} findings, ${data.images.filter((i) => i.findings === 0).length} clean.`,
        `load: autocannon, ${CONNECTIONS} connections, ${warm} s warm-up + ${seconds} s measured per run, in the bench process; each server in its own process (tarsier serve --no-worker from source, log level warn, pool 10).`,
        `CPU per request (ms): hello-world server ${helloCpu.toFixed(3)}, client ${hello1.cpu.client.toFixed(3)}; HSS server ${hss.cpu.server?.toFixed(3)} + PostgreSQL ${hss.cpu.db?.toFixed(3)}, client ${hss.cpu.client.toFixed(3)}; Alibaba server ${ali.cpu.server?.toFixed(3)} + PostgreSQL ${ali.cpu.db?.toFixed(3)}, client ${ali.cpu.client.toFixed(3)}. On ${cpus().length} otherwise idle cores that predicts ${helloCapacity.toFixed(0)} req/s hello-world, ${capacity(hss, (hss.cpu.server ?? NaN) + (hss.cpu.db ?? NaN)).toFixed(0)} HSS (${((100 * capacity(hss, (hss.cpu.server ?? NaN) + (hss.cpu.db ?? NaN))) / helloCapacity).toFixed(1)}%), ${capacity(ali, (ali.cpu.server ?? NaN) + (ali.cpu.db ?? NaN)).toFixed(0)} Alibaba (${((100 * capacity(ali, (ali.cpu.server ?? NaN) + (ali.cpu.db ?? NaN))) / helloCapacity).toFixed(1)}%).`,
        `hello-world before/after: ${hello1.requestsPerSecond.toFixed(0)} / ${hello2.requestsPerSecond.toFixed(0)} req/s, p99 ${hello1.p99} / ${hello2.p99} ms; requests measured: HSS ${hss.requests}, Alibaba ${ali.requests}.`,
        `machine: ${cpus().length} cores (shared); load average (1 min) before ${loadBefore[0]!.toFixed(2)}, after hello-world ${hello1.load1.toFixed(2)}, after HSS ${hss.load1.toFixed(2)}, after Alibaba ${ali.load1.toFixed(2)}, at the end ${hello2.load1.toFixed(2)}.`,
      ],
    };
  } finally {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  }
};

export default bench;
