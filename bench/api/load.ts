/**
 * Load for the API benchmark: autocannon with a request generated per call from a realistic mix
 * (uniformly chosen images, so most pages are small and a few images hold thousands of findings;
 * default first pages most often, then bigger pages, deep pages and filters), seeded so two runs
 * send the same sequence.
 */
import autocannon from 'autocannon';
import { loadavg } from 'node:os';
import { seededRandom } from '../../test/helpers/seeded-random.js';
import type { SeededData, SeededImage } from './seed.js';

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  load1: number;
}

export interface LoadOptions {
  url: string;
  seconds: number;
  connections: number;
  /** Builds the next request; undefined = GET / (the hello-world). */
  next?: () => { method: 'GET' | 'POST'; path: string; headers: Record<string, string> };
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const next = o.next;
  const result = await autocannon({
    url: o.url,
    connections: o.connections,
    duration: o.seconds,
    requests: next
      ? [
          {
            setupRequest: (req) => {
              const r = next();
              return { ...req, method: r.method, path: r.path, headers: { ...req.headers, ...r.headers } };
            },
          },
        ]
      : undefined,
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    load1: loadavg()[0]!,
  };
}


const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
const qs = (params: Record<string, string | number | undefined>): string =>
  Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');

/** The enterprise_project_id a console or script would send for this image. */
function enterpriseParam(rnd: () => number, img: SeededImage): string | undefined {
  const r = rnd();
  if (r < 0.3) return 'all_granted_eps';
  if (img.enterpriseProjectId === '0' && r < 0.65) return undefined;
  return img.enterpriseProjectId;
}

/**
 * `GET /v5/{project_id}/image/{image_id}/sensitive`: 45% the default first page, 15% a bigger first
 * page, 15% a later page (up to the image's last), 10% by severity, 8% by handling state, 5% by
 * path text, 2% severity + handling with 50 a page. CI/CD images are named by id, others by
 * namespace, name and version, as the seed describes.
 */
export function hssSensitiveMix(data: SeededData, seed = 7): () => { method: 'GET'; path: string; headers: Record<string, string> } {
  const rnd = seededRandom(seed);
  return () => {
    const img = pick(rnd, data.images);
    const q: Record<string, string | number | undefined> = { image_type: img.imageType, enterprise_project_id: enterpriseParam(rnd, img) };
    if (img.imageType !== 'cicd') Object.assign(q, { namespace: img.namespace, image_name: img.imageName, image_version: img.imageVersion });
    const r = rnd();
    if (r < 0.45) {
      // defaults: limit 10, offset 0
    } else if (r < 0.6) {
      q.limit = pick(rnd, [20, 50, 100, 200]);
    } else if (r < 0.75) {
      const limit = pick(rnd, [10, 20, 50]);
      q.limit = limit;
      q.offset = Math.floor(rnd() * Math.max(1, Math.ceil(img.findings / limit))) * limit;
    } else if (r < 0.85) {
      q.severity = pick(rnd, ['critical', 'high', 'medium', 'low']);
    } else if (r < 0.93) {
      q.handle_status = pick(rnd, ['unhandled', 'handled']);
    } else if (r < 0.98) {
      q.file_path = pick(rnd, ['.env', 'id_rsa', '/etc/', 'credentials', '.pem']);
    } else {
      Object.assign(q, { severity: pick(rnd, ['critical', 'high']), handle_status: 'unhandled', limit: 50 });
    }
    return {
      method: 'GET',
      path: `/v5/${img.projectId}/image/${encodeURIComponent(img.id)}/sensitive?${qs(q)}`,
      headers: { 'x-auth-token': data.tokens.get(img.projectId)! },
    };
  };
}

/**
 * `DescribeImageSensitiveFileByKey`, POST with the parameters in the query as the Alibaba SDKs send
 * it: 55% every file of an image (first page, 20), 25% one key of an image (the keys findings are
 * drawn from, so most have hits), 12% a later page of an image, 8% one key across the project.
 */
export function alibabaByKeyMix(data: SeededData, seed = 11): () => { method: 'POST'; path: string; headers: Record<string, string> } {
  const rnd = seededRandom(seed);
  // Keys weighted as the data set draws them (index ~ n·u²), so a key filter usually matches.
  const key = () => data.keys[Math.floor(data.keys.length * rnd() * rnd())]!;
  return () => {
    const img = pick(rnd, data.images);
    const q: Record<string, string | number | undefined> = { Action: 'DescribeImageSensitiveFileByKey', Version: '2018-12-03', Lang: rnd() < 0.5 ? 'zh' : 'en' };
    const r = rnd();
    if (r < 0.55) {
      q.ImageUuid = img.id;
    } else if (r < 0.8) {
      Object.assign(q, { ImageUuid: img.id, SensitiveFileKey: key() });
    } else if (r < 0.92) {
      const size = pick(rnd, [20, 50, 100]);
      Object.assign(q, { ImageUuid: img.id, PageSize: size, CurrentPage: 1 + Math.floor(rnd() * Math.max(1, Math.ceil(img.findings / size))) });
    } else {
      Object.assign(q, { SensitiveFileKey: key(), ScanRange: '["image"]' });
    }
    return { method: 'POST', path: `/?${qs(q)}`, headers: { 'x-auth-token': data.tokens.get(img.projectId)! } };
  };
}
