/** What route handlers get: the services, the caller, and the request's tenancy scope. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JobQueue } from '../jobs/queue.js';
import type { Store } from '../store/open-store.js';
import type { Principal } from '../store/projects-repo.js';
import type { SecretBox } from '../store/secret-box.js';
import type { AlibabaActions } from './alibaba-surface.js';
import type { HssRouter } from './hss-surface.js';
import type { TenantScope } from './tenancy.js';

export interface ApiServices {
  store: Store;
  /** Seals registry credentials and access-key secrets. */
  box: SecretBox;
  queue: JobQueue;
}

/** Which error vocabulary a request is answered in. */
export type Surface = 'hss' | 'alibaba' | 'service';

export interface RequestContext {
  principal: Principal;
  scope: TenantScope;
  requestId: string;
  services: ApiServices;
  /** Escape hatches for headers (e.g. HSS `region`) and status codes; most handlers never need them. */
  request: FastifyRequest;
  reply: FastifyReply;
}

/** A group of endpoints (one translator file) installed into the app. */
export interface ApiModule {
  name: string;
  register(api: { hss: HssRouter; alibaba: AlibabaActions }): void;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Which error vocabulary this request is answered in (set on arrival from the URL). */
    apiSurface: Surface;
    /** The body bytes as received, for signatures (undefined when there was no body). */
    rawBody?: Buffer;
    /** Route label for metrics when the URL template says too little (Alibaba: the action). */
    metricsRoute?: string;
    /** Set by authentication, before validation and the handler. */
    principal?: Principal;
  }
}
