/**
 * Prometheus metrics: requests and their latency by surface, route template and status, plus the
 * job queue's depth by state (read from the store at scrape time) and the process defaults.
 * One registry per app, so several apps in one process (tests) do not collide.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store/open-store.js';

const JOB_STATES = ['queued', 'running', 'done', 'failed'] as const;

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'surface' | 'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'surface' | 'method' | 'route' | 'status'>;

  constructor(store: Store, opts: { processMetrics?: boolean } = {}) {
    const labelNames = ['surface', 'method', 'route', 'status'] as const;
    this.requests = new Counter({ name: 'tarsier_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [this.registry] });
    this.latency = new Histogram({
      name: 'tarsier_http_request_duration_seconds',
      help: 'Time to answer HTTP requests',
      labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    new Gauge({
      name: 'tarsier_jobs',
      help: 'Jobs in the queue by state',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const rows = await store.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM jobs GROUP BY state');
        for (const state of JOB_STATES) this.set({ state }, rows.find((r) => r.state === state)?.n ?? 0);
      },
    });
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'tarsier_' });
  }

  /** Called once per answered request (onResponse). Unmatched URLs share one label: no unbounded cardinality. */
  observe(request: FastifyRequest, reply: FastifyReply): void {
    const route = request.metricsRoute ?? request.routeOptions.url ?? 'unmatched';
    const labels = { surface: request.apiSurface, method: request.method, route, status: String(reply.statusCode) };
    this.requests.inc(labels);
    this.latency.observe(labels, reply.elapsedTime / 1000);
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
