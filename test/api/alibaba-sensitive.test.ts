/**
 * The Alibaba Sas sensitive-file actions end to end through the app: golden request → exact
 * response for each action (GET and POST, query and form body, JSON-string and flattened arrays,
 * Lang zh/en), paging, every error path, tenancy, the shared handling overlay, fuzzed parameters,
 * signed requests (signed by the independent Python signer) and findings of the real detector on
 * real secret files.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alibabaSensitiveModule } from '../../src/api/alibaba/sensitive.js';
import { createAccessKey } from '../../src/api/auth/access-keys.js';
import { sha256Hex } from '../../src/api/auth/encoding.js';
import { API_MODULES } from '../../src/api/modules.js';
import type { Inventory } from '../../src/analysis/inventory.js';
import { SENSITIVE_CATALOG } from '../../src/detect/sensitive/catalog.js';
import { CompiledRuleSet } from '../../src/detect/sensitive/ruleset.js';
import { scanBuffer } from '../../src/detect/sensitive/scanner.js';
import type { ReportSensitive } from '../../src/report/model.js';
import { saveAnalysis } from '../../src/store/analysis-repo.js';
import { sensitiveFingerprint } from '../../src/store/fingerprints.js';
import { recordSightings, setScanStatus, upsertImage } from '../../src/store/images-repo.js';
import { createToken, ensureProject } from '../../src/store/projects-repo.js';
import { createRegistry } from '../../src/store/registries-repo.js';
import { aliyunTimestamp, apiFixture, encodeQuery, referenceSign, type ApiFixture, type SignSpec } from '../helpers/api-foundation.js';

const V = 'Version=2018-12-03';
const hex = (c: string) => c.repeat(64);
const L1 = { digest: `sha256:${hex('1')}`, diffId: `sha256:${hex('a')}`, size: 100 };
const L2 = { digest: `sha256:${hex('2')}`, diffId: `sha256:${hex('b')}`, size: 50 };
const L3 = { digest: `sha256:${hex('3')}`, diffId: `sha256:${hex('c')}`, size: 70 };
const M1 = `sha256:${hex('d')}`;
const M2 = `sha256:${hex('e')}`;
const T1 = 1_700_000_000_000;
const T2 = T1 + 86_400_000;
const T3 = T1 + 3_600_000;
const T4 = T1 + 7_200_000;

type Sens = Omit<ReportSensitive, 'name' | 'description' | 'advice'>;
const AWS: Sens = { key: 'aws_access_key', severity: 'critical', path: 'app/.env', layerDigest: L2.digest, md5: '1'.repeat(32), masked: 'AKIA************MPLE', line: 3 };
const SSH: Sens = { key: 'ssh_private_key', severity: 'high', path: 'root/.ssh/id_rsa', layerDigest: L1.digest, md5: '2'.repeat(32), masked: '-----BEGIN RSA PRIVATE KEY-----MIIE****' };
const GIT: Sens = { key: 'git_cfg', severity: 'low', path: 'src/.git/config', layerDigest: L2.digest, md5: '3'.repeat(32), masked: 'https://deploy:****@git.example.com' };
const CRED: Sens = { key: 'common_cred', severity: 'medium', path: 'etc/app/config.yml', layerDigest: L1.digest, md5: '4'.repeat(32), masked: 'password: hu****' };
const CUSTOM: Sens = { key: 'custom:corp-token', severity: 'high', path: 'opt/corp.txt', layerDigest: L2.digest, md5: '5'.repeat(32), masked: 'CORP-****' };
const PEM: Sens = { key: 'pem', severity: 'medium', path: 'etc/ssl/private/server.key', layerDigest: L3.digest, md5: '6'.repeat(32), masked: '-----BEGIN PRIVATE KEY-----MIIE****' };
const fp = (s: Sens) => sensitiveFingerprint(s);

function inventory(digest: string, layers: (typeof L1)[]): Inventory {
  return {
    artifact: { ref: 'r/x:1', type: 'registry', digest, configDigest: `sha256:${hex('f')}`, size: 1000, layers, platform: 'linux/amd64' },
    os: null,
    packages: [],
    files: {},
    symlinks: {},
    specialModes: [],
    sensitive: [],
    config: {},
    history: [],
    warnings: [],
  };
}

async function storeAnalysis(fx: ApiFixture, digest: string, layers: (typeof L1)[], sensitive: Sens[]): Promise<void> {
  const full = sensitive.map((s) => ({ ...s, name: s.key, description: '-', advice: '-' }));
  await saveAnalysis(fx.store, { inventory: inventory(digest, layers), findings: { vulnerabilities: [], sensitive: full, baseline: [], buildRisks: [] } });
}

async function scanned(fx: ApiFixture, imageId: string, digest: string, findings: Sens[], at: number): Promise<void> {
  await recordSightings(fx.store, imageId, 'sensitive', findings.map(fp), at);
  await setScanStatus(fx.store, imageId, { status: 'success', digest, size: 1000, scannedAt: at });
}

let fx: ApiFixture;
let tok: { a: string; b: string; aEp1: string };
let img: { a: string; b: string; c: string; x: string };
let registryId: string;

beforeAll(async () => {
  fx = await apiFixture({ modules: [alibabaSensitiveModule] });
  const s = fx.store;
  await ensureProject(s, 'proj-a');
  await ensureProject(s, 'proj-b');
  tok = {
    a: (await createToken(s, { projectId: 'proj-a' })).token,
    b: (await createToken(s, { projectId: 'proj-b' })).token,
    aEp1: (await createToken(s, { projectId: 'proj-a', enterpriseProjects: ['ep1'] })).token,
  };
  registryId = await createRegistry(s, fx.services.box, { projectId: 'proj-a', name: 'harbor-prod', type: 'Harbor', protocol: 'https', addr: 'harbor.example.com' });
  await storeAnalysis(fx, M1, [L1, L2], [AWS, SSH, GIT, CRED, CUSTOM]);
  // M2 carries the same AWS key file (same rule, path, content) in another layer.
  await storeAnalysis(fx, M2, [L1, L3], [{ ...AWS, layerDigest: L3.digest }, PEM]);
  const ref = (projectId: string, ep: string, namespace: string, name: string, tag: string, reg: string | null) =>
    upsertImage(s, { projectId, enterpriseProjectId: ep, registryId: reg, imageType: reg ? 'harbor' : 'cicd', namespace, imageName: name, imageVersion: tag, reference: `${name}:${tag}` });
  img = {
    a: await ref('proj-a', '0', 'library', 'web', '1.0', registryId),
    b: await ref('proj-a', 'ep1', 'library', 'api', '2.1', registryId),
    c: await ref('proj-a', '0', '', 'batch', 'latest', null),
    x: await ref('proj-b', '0', 'other', 'web', '9', null),
  };
  await scanned(fx, img.a, M1, [AWS, SSH, GIT, CRED, CUSTOM], T1);
  await scanned(fx, img.a, M1, [AWS, SSH, GIT, CRED, CUSTOM], T2);
  await scanned(fx, img.b, M2, [AWS, PEM], T3);
  // Another tenant's image of the same manifest: shares the analysis, not the view.
  await scanned(fx, img.x, M1, [AWS, SSH, GIT, CRED, CUSTOM], T4);
});
afterAll(async () => fx?.close());

type Res = Awaited<ReturnType<ApiFixture['app']['inject']>>;
const get = (query: string, token = tok.a): Promise<Res> => fx.app.inject({ method: 'GET', url: `/?${query}`, headers: { 'x-auth-token': token } });
const postForm = (query: string, form: string, token = tok.a): Promise<Res> =>
  fx.app.inject({ method: 'POST', url: `/?${query}`, payload: form, headers: { 'x-auth-token': token, 'content-type': 'application/x-www-form-urlencoded' } });
/** The current SDKs: POST, every parameter in the query string, no body. */
const postQuery = (query: string, token = tok.a): Promise<Res> => fx.app.inject({ method: 'POST', url: `/?${query}`, headers: { 'x-auth-token': token } });
const q = (params: Record<string, string | number>) => encodeQuery(Object.entries(params).map(([k, v]) => [k, String(v)]));
const ok = (res: Res) => {
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  expect(body.RequestId).toBe(res.headers['x-request-id']);
  return body;
};
const aliError = (res: Res, status: number, code: string, message?: string) => {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(Object.keys(body).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
  expect(body.Code).toBe(code);
  if (message !== undefined) expect(body.Message).toBe(message);
  expect(body.RequestId).toBe(res.headers['x-request-id']);
};
const ENVELOPE = { Success: true, Code: '200', Message: 'successful', HttpStatusCode: 200 };
const cat = (key: string) => SENSITIVE_CATALOG.get(key)!;
const byKey = (params: Record<string, string | number> = {}, token = tok.a) => get(q({ Action: 'DescribeImageSensitiveFileByKey', Version: '2018-12-03', ...params }), token);
const keyList = (params: Record<string, string | number> = {}, token = tok.a) => get(q({ Action: 'DescribeImageSensitiveFileList', Version: '2018-12-03', ...params }), token);
const imageList = (params: Record<string, string | number> = {}, token = tok.a) => get(q({ Action: 'DescribeImageListBySensitiveFile', Version: '2018-12-03', ...params }), token);
const setStatus = (params: Record<string, string | number>, token = tok.a) => postQuery(q({ Action: 'SetImageSensitiveFileStatus', Version: '2018-12-03', ...params }), token);

describe('DescribeImageSensitiveFileByKey (seed 001)', () => {
  it('golden: one key of one image, Lang=en', async () => {
    const res = await byKey({ ImageUuid: img.a, SensitiveFileKey: 'aws_access_key', Lang: 'en' });
    expect(ok(res)).toEqual({
      RequestId: res.headers['x-request-id'],
      SensitiveFileList: [
        {
          FilePath: '/app/.env',
          LayerDigest: hex('2'),
          Promt: 'AKIA************MPLE',
          Advice: cat('aws_access_key').advice.en,
          RiskLevel: 'high',
          SensitiveFileKey: 'aws_access_key',
          SensitiveFileName: 'AWS Access Key',
          FirstScanTime: T1,
          LastScanTime: T2,
          Description: 'An AWS access key ID or secret access key.',
          Md5: '1'.repeat(32),
        },
      ],
      PageInfo: { CurrentPage: 1, PageSize: 20, TotalCount: 1, Count: 1, LastRowKey: fp(AWS) },
      ...ENVELOPE,
    });
  });

  it('golden: every key of an image in Chinese by default, most severe first, critical shown as high', async () => {
    const body = ok(await byKey({ ImageUuid: img.a }));
    expect(body.SensitiveFileList.map((f: Record<string, unknown>) => [f.SensitiveFileKey, f.RiskLevel, f.SensitiveFileName, f.FilePath])).toEqual([
      ['aws_access_key', 'high', 'AWS 访问密钥', '/app/.env'],
      ['custom:corp-token', 'high', 'custom:corp-token', '/opt/corp.txt'],
      ['ssh_private_key', 'high', 'SSH 私钥', '/root/.ssh/id_rsa'],
      ['common_cred', 'medium', '通用凭据', '/etc/app/config.yml'],
      ['git_cfg', 'low', 'Git 配置', '/src/.git/config'],
    ]);
    const ssh = body.SensitiveFileList[2];
    expect(ssh).toEqual({
      FilePath: '/root/.ssh/id_rsa',
      LayerDigest: hex('1'),
      Promt: '-----BEGIN RSA PRIVATE KEY-----MIIE****',
      Advice: cat('ssh_private_key').advice.zh,
      RiskLevel: 'high',
      SensitiveFileKey: 'ssh_private_key',
      SensitiveFileName: 'SSH 私钥',
      FirstScanTime: T1,
      LastScanTime: T2,
      Description: cat('ssh_private_key').description.zh,
      Md5: '2'.repeat(32),
    });
    expect(body.SensitiveFileList[1].Description).toBe('自定义规则命中的敏感信息。');
    expect(body.PageInfo).toEqual({ CurrentPage: 1, PageSize: 20, TotalCount: 5, Count: 5, LastRowKey: fp(GIT) });
    expect(body).toMatchObject(ENVELOPE);
  });

  it('without ImageUuid: each file of all the caller\'s images once, with its earliest and latest sighting', async () => {
    const body = ok(await byKey({ SensitiveFileKey: 'aws_access_key', Lang: 'en' }));
    expect(body.SensitiveFileList).toHaveLength(1);
    expect(body.SensitiveFileList[0]).toMatchObject({ FilePath: '/app/.env', FirstScanTime: T1, LastScanTime: T2, Md5: '1'.repeat(32) });
    const all = ok(await byKey());
    expect(all.PageInfo.TotalCount).toBe(6);
    expect(all.SensitiveFileList.map((f: { SensitiveFileKey: string }) => f.SensitiveFileKey)).toContain('pem');
  });

  it('answers the same over GET, POST with the query (the SDKs), POST with a form body, and flattened arrays', async () => {
    const params = { ImageUuid: img.a, SensitiveFileKey: 'ssh_private_key', ScanRange: '["image","container"]', Lang: 'en' };
    const strip = (b: Record<string, unknown>): Record<string, unknown> => ({ ...b, RequestId: undefined });
    const viaGet = strip(ok(await byKey(params)));
    const viaPostQuery = strip(ok(await postQuery(q({ Action: 'DescribeImageSensitiveFileByKey', Version: '2018-12-03', ...params }))));
    const viaForm = strip(ok(await postForm(`Action=DescribeImageSensitiveFileByKey&${V}`, q(params))));
    const flattened = strip(ok(await postForm(`Action=DescribeImageSensitiveFileByKey&${V}`, q({ ImageUuid: img.a, SensitiveFileKey: 'ssh_private_key', 'ScanRange.1': 'image', Lang: 'en' }))));
    expect(viaGet.SensitiveFileList as unknown[]).toHaveLength(1);
    expect(viaPostQuery).toEqual(viaGet);
    expect(viaForm).toEqual(viaGet);
    expect(flattened).toEqual(viaGet);
  });

  it('accepts an ImageUuid written without dashes', async () => {
    const body = ok(await byKey({ ImageUuid: img.a.replace(/-/g, '').toUpperCase(), SensitiveFileKey: 'git_cfg' }));
    expect(body.SensitiveFileList.map((f: { Md5: string }) => f.Md5)).toEqual(['3'.repeat(32)]);
  });

  it('finds nothing for containers only, unknown keys, unscanned and unknown images', async () => {
    for (const params of [{ ScanRange: '["container"]' }, { SensitiveFileKey: 'no_such_key' }, { ImageUuid: img.c }, { ImageUuid: randomUUID() }] as Record<string, string>[]) {
      const body = ok(await byKey(params));
      expect(body, JSON.stringify(params)).toEqual({ RequestId: body.RequestId, SensitiveFileList: [], PageInfo: { CurrentPage: 1, PageSize: 20, TotalCount: 0, Count: 0, LastRowKey: '' }, ...ENVELOPE });
    }
  });

  it('pages with CurrentPage and PageSize', async () => {
    const all = ok(await byKey({ ImageUuid: img.a })).SensitiveFileList.map((f: { Md5: string }) => f.Md5);
    const p2 = ok(await byKey({ ImageUuid: img.a, PageSize: 2, CurrentPage: 2 }));
    expect(p2.SensitiveFileList.map((f: { Md5: string }) => f.Md5)).toEqual(all.slice(2, 4));
    expect(p2.PageInfo).toEqual({ CurrentPage: 2, PageSize: 2, TotalCount: 5, Count: 2, LastRowKey: fp(CRED) });
    const p3 = ok(await byKey({ ImageUuid: img.a, PageSize: 2, CurrentPage: 3 }));
    expect(p3.PageInfo).toMatchObject({ CurrentPage: 3, Count: 1, TotalCount: 5 });
    const beyond = ok(await byKey({ ImageUuid: img.a, PageSize: 2, CurrentPage: 50 }));
    expect(beyond.SensitiveFileList).toEqual([]);
    expect(beyond.PageInfo).toEqual({ CurrentPage: 50, PageSize: 2, TotalCount: 5, Count: 0, LastRowKey: '' });
    expect(ok(await byKey({ ImageUuid: img.a, PageSize: 1000, CurrentPage: 1_000_000 })).PageInfo).toMatchObject({ PageSize: 1000, CurrentPage: 1_000_000, TotalCount: 5 });
    expect(ok(await byKey({ ImageUuid: img.a, PageSize: 1 })).PageInfo).toMatchObject({ PageSize: 1, Count: 1, TotalCount: 5 });
  });

  it.each([
    ['PageSize 0', { PageSize: 0 }, 'The specified parameter "PageSize" is not valid: must be >= 1.'],
    ['PageSize over the limit', { PageSize: 1001 }, 'The specified parameter "PageSize" is not valid: must be <= 1000.'],
    ['PageSize not an integer', { PageSize: '2.5' }, 'The specified parameter "PageSize" is not valid: must be integer.'],
    ['CurrentPage 0', { CurrentPage: 0 }, 'The specified parameter "CurrentPage" is not valid: must be >= 1.'],
    ['CurrentPage negative', { CurrentPage: -1 }, 'The specified parameter "CurrentPage" is not valid: must be >= 1.'],
    ['CurrentPage not a number', { CurrentPage: 'first' }, 'The specified parameter "CurrentPage" is not valid: must be integer.'],
    ['CurrentPage too far', { CurrentPage: 1_000_001 }, 'The specified parameter "CurrentPage" is not valid: must be <= 1000000.'],
    ['Lang misspelt', { Lang: 'EN' }, 'The specified parameter "Lang" is not valid: must be one of: zh, en.'],
    ['ScanRange not JSON', { ScanRange: 'image' }, 'The specified parameter "ScanRange" is not valid: it must be a JSON-encoded array.'],
    ['ScanRange item unknown', { ScanRange: '["host"]' }, 'The specified parameter "ScanRange[0]" is not valid: must be one of: image, container.'],
    ['ScanRange not an array', { ScanRange: '"image"' }, 'The specified parameter "ScanRange" is not valid: must be array.'],
    ['ImageUuid empty', { ImageUuid: '' }, 'The specified parameter "ImageUuid" is not valid: must NOT have fewer than 1 characters.'],
    ['ImageUuid too long', { ImageUuid: 'x'.repeat(129) }, 'The specified parameter "ImageUuid" is not valid: must NOT have more than 128 characters.'],
    ['SensitiveFileKey too long', { SensitiveFileKey: 'k'.repeat(129) }, 'The specified parameter "SensitiveFileKey" is not valid: must NOT have more than 128 characters.'],
  ])('InvalidParameter naming the parameter: %s', async (_name, params, message) => {
    aliError(await byKey(params as Record<string, string | number>), 400, 'InvalidParameter', message);
  });
});

describe('DescribeImageSensitiveFileList', () => {
  it('golden: one summary per sensitive file type, Lang=en', async () => {
    const res = await keyList({ Lang: 'en', PageSize: 2 });
    expect(ok(res)).toEqual({
      RequestId: res.headers['x-request-id'],
      SensitiveFileList: [
        {
          SensitiveFileKey: 'aws_access_key',
          SensitiveFileName: 'AWS Access Key',
          ClassKey: 'access_key',
          ClassName: 'Access key',
          RiskLevel: 'high',
          Count: 2,
          UnprocessedNum: 2,
          Status: 0,
          Advice: cat('aws_access_key').advice.en,
          Description: cat('aws_access_key').description.en,
          FirstScanTime: T1,
          LastScanTime: T2,
        },
        {
          SensitiveFileKey: 'custom:corp-token',
          SensitiveFileName: 'custom:corp-token',
          ClassKey: 'custom',
          ClassName: 'Custom rule',
          RiskLevel: 'high',
          Count: 1,
          UnprocessedNum: 1,
          Status: 0,
          Advice: 'Assess the risk, remove the sensitive content from the image and rebuild.',
          Description: 'Sensitive content matched by a custom rule.',
          FirstScanTime: T1,
          LastScanTime: T2,
        },
      ],
      PageInfo: { CurrentPage: 1, PageSize: 2, TotalCount: 6, Count: 2, LastRowKey: 'custom:corp-token' },
      ...ENVELOPE,
    });
  });

  it('golden: Chinese names and classes by default, every type in order', async () => {
    const body = ok(await keyList());
    expect(body.SensitiveFileList.map((f: Record<string, unknown>) => [f.SensitiveFileKey, f.SensitiveFileName, f.ClassKey, f.ClassName, f.RiskLevel, f.Count])).toEqual([
      ['aws_access_key', 'AWS 访问密钥', 'access_key', '访问密钥', 'high', 2],
      ['custom:corp-token', 'custom:corp-token', 'custom', '自定义规则', 'high', 1],
      ['ssh_private_key', 'SSH 私钥', 'private_key', '私钥', 'high', 1],
      ['common_cred', '通用凭据', 'password', '密码', 'medium', 1],
      ['pem', 'PEM', 'private_key', '私钥', 'medium', 1],
      ['git_cfg', 'Git 配置', 'config', '配置文件', 'low', 1],
    ]);
    const pem = body.SensitiveFileList[4];
    expect(pem).toMatchObject({ FirstScanTime: T3, LastScanTime: T3, Advice: cat('pem').advice.zh, Description: cat('pem').description.zh });
  });

  it.each([
    ['CriteriaType=SensitiveFileName, English name', { CriteriaType: 'SensitiveFileName', Criteria: 'aws access' }, ['aws_access_key']],
    ['CriteriaType=SensitiveFileName, Chinese name', { CriteriaType: 'SensitiveFileName', Criteria: '私钥' }, ['ssh_private_key']],
    ['CriteriaType=SensitiveFileName, a custom type is named by its key', { CriteriaType: 'SensitiveFileName', Criteria: 'CORP' }, ['custom:corp-token']],
    ['CriteriaType=SensitiveFileName does not search keys', { CriteriaType: 'SensitiveFileName', Criteria: 'cfg' }, []],
    ['CriteriaType=SensitiveFileKey', { CriteriaType: 'SensitiveFileKey', Criteria: 'private' }, ['ssh_private_key']],
    ['Criteria alone searches keys and names', { Criteria: 'git' }, ['git_cfg']],
    ['SensitiveKeyList as a JSON string', { SensitiveKeyList: '["pem","git_cfg","nothing"]' }, ['pem', 'git_cfg']],
    ['SensitiveKeyList flattened', { 'SensitiveKeyList.1': 'common_cred' }, ['common_cred']],
    ['RiskLevel=high covers critical', { RiskLevel: 'high' }, ['aws_access_key', 'custom:corp-token', 'ssh_private_key']],
    ['RiskLevel list', { RiskLevel: 'low,medium' }, ['common_cred', 'pem', 'git_cfg']],
    ['ImageUuid', { ImageUuid: '<img.b>' }, ['aws_access_key', 'pem']],
    ['ScanRange container only', { ScanRange: '["container"]' }, []],
  ])('filters: %s', async (_name, params, keys) => {
    // it.each rows are built before the images exist.
    const resolved = Object.fromEntries(Object.entries(params as Record<string, string>).map(([k, v]) => [k, v === '<img.b>' ? img.b : v]));
    const body = ok(await keyList(resolved));
    expect(body.SensitiveFileList.map((f: { SensitiveFileKey: string }) => f.SensitiveFileKey)).toEqual(keys);
    expect(body.PageInfo.TotalCount).toBe(keys.length);
  });

  it.each([
    ['CriteriaType unknown', { CriteriaType: 'Name' }, 'CriteriaType'],
    ['RiskLevel critical (not an Alibaba level)', { RiskLevel: 'critical' }, 'RiskLevel'],
    ['RiskLevel with a trailing comma', { RiskLevel: 'high,' }, 'RiskLevel'],
    ['SensitiveKeyList not JSON', { SensitiveKeyList: 'pem,git_cfg' }, 'SensitiveKeyList'],
    ['SensitiveKeyList of objects', { SensitiveKeyList: '[{"key":"pem"}]' }, 'SensitiveKeyList[0]'],
    ['Criteria too long', { Criteria: 'c'.repeat(129) }, 'Criteria'],
    ['PageSize 0', { PageSize: 0 }, 'PageSize'],
  ])('InvalidParameter naming the parameter: %s', async (_name, params, param) => {
    const res = await keyList(params as Record<string, string | number>);
    aliError(res, 400, 'InvalidParameter');
    expect(res.json().Message).toMatch(new RegExp(`^The specified parameter "${param.replace(/[[\]]/g, '\\$&')}" is not valid`));
  });
});

describe('DescribeImageListBySensitiveFile', () => {
  it('golden: the images carrying a sensitive file type', async () => {
    const res = await imageList({ SensitiveFileKey: 'aws_access_key' });
    const image = (id: string, name: string, tag: string, digest: string, first: number, last: number) => ({
      Uuid: id,
      Digest: digest,
      Tag: tag,
      RepoName: name,
      RepoNamespace: 'library',
      InstanceId: registryId,
      InstanceName: 'harbor-prod',
      RegionId: '',
      RiskLevel: 'high',
      Status: '0',
      FirstScanTime: first,
      LastScanTime: last,
    });
    expect(ok(res)).toEqual({
      RequestId: res.headers['x-request-id'],
      ImageInfos: [image(img.b, 'api', '2.1', hex('e'), T3, T3), image(img.a, 'web', '1.0', hex('d'), T1, T2)],
      PageInfo: { CurrentPage: 1, PageSize: 20, TotalCount: 2, Count: 2, LastRowKey: img.a },
      ...ENVELOPE,
    });
  });

  it('lists every image with findings when no key is given, and pages', async () => {
    const body = ok(await imageList({ PageSize: 1 }));
    expect(body.ImageInfos.map((i: { Uuid: string }) => i.Uuid)).toEqual([img.b]);
    expect(body.PageInfo).toEqual({ CurrentPage: 1, PageSize: 1, TotalCount: 2, Count: 1, LastRowKey: img.b });
    expect(ok(await imageList({ PageSize: 1, CurrentPage: 2 })).ImageInfos.map((i: { Uuid: string }) => i.Uuid)).toEqual([img.a]);
    expect(ok(await imageList({ PageSize: 1, CurrentPage: 3 })).PageInfo).toMatchObject({ Count: 0, TotalCount: 2, LastRowKey: '' });
  });

  it.each([
    ['RepoName, fuzzy and case-insensitive', { RepoName: 'WE' }, ['a']],
    ['RepoNamespace, fuzzy', { RepoNamespace: 'libr' }, ['b', 'a']],
    ['ImageDigest, part of the digest', { ImageDigest: 'eeee' }, ['b']],
    ['ImageDigest with the algorithm', { ImageDigest: `sha256:${'d'.repeat(10)}` }, ['a']],
    ['RepoInstanceId', { RepoInstanceId: 'not-a-registry' }, []],
    ['RiskLevel low: images with a low finding of the type', { RiskLevel: 'low' }, ['a']],
    ['RiskLevel medium, key pem', { RiskLevel: 'medium', SensitiveFileKey: 'pem' }, ['b']],
    ['Status 0', { Status: '0', SensitiveFileKey: 'git_cfg' }, ['a']],
    ['Status 1', { Status: '1' }, []],
    ['ScanRange container', { ScanRange: '["container"]' }, []],
  ])('filters: %s', async (_name, params, expected) => {
    const body = ok(await imageList(params as Record<string, string>));
    expect(body.ImageInfos.map((i: { Uuid: string }) => i.Uuid)).toEqual(expected.map((k) => img[k as 'a' | 'b']));
    expect(body.PageInfo.TotalCount).toBe(expected.length);
  });

  it('RepoInstanceId selects the registry\'s images', async () => {
    expect(ok(await imageList({ RepoInstanceId: registryId })).PageInfo.TotalCount).toBe(2);
  });

  it.each([
    ['Status 3', { Status: '3' }, 'The specified parameter "Status" is not valid: must be one of: 0, 1, 2.'],
    ['RiskLevel misspelt', { RiskLevel: 'High' }, undefined],
    ['RepoName empty', { RepoName: '' }, 'The specified parameter "RepoName" is not valid: must NOT have fewer than 1 characters.'],
    ['CurrentPage 0', { CurrentPage: 0 }, 'The specified parameter "CurrentPage" is not valid: must be >= 1.'],
  ])('InvalidParameter: %s', async (_name, params, message) => {
    aliError(await imageList(params as Record<string, string | number>), 400, 'InvalidParameter', message);
  });
});

describe('SetImageSensitiveFileStatus and the shared handling overlay', () => {
  const states = () => fx.store.db.selectFrom('finding_states').select(['project_id', 'kind', 'fingerprint', 'state']).orderBy('project_id').orderBy('fingerprint').execute();
  const statusOf = async (key: string, token = tok.a) =>
    Object.fromEntries(ok(await imageList({ SensitiveFileKey: key }, token)).ImageInfos.map((i: { Uuid: string; Status: string }) => [i.Uuid, i.Status]));

  it('golden: ignores a type in one image; the file is ignored wherever the project has it, and back', async () => {
    const res = await setStatus({ SensitiveFileKey: 'aws_access_key', ImageUuids: img.a, Status: 1 });
    expect(ok(res)).toEqual({ RequestId: res.headers['x-request-id'], Success: true, Code: '200', Message: 'successful', Data: { Id: 1 } });
    expect(await states()).toEqual([{ project_id: 'proj-a', kind: 'sensitive', fingerprint: fp(AWS), state: 'ignored' }]);
    // Same rule, path and content in image b: one handling decision per project.
    expect(await statusOf('aws_access_key')).toEqual({ [img.a]: '1', [img.b]: '1' });
    const summary = ok(await keyList({ SensitiveKeyList: '["aws_access_key"]' })).SensitiveFileList[0];
    expect(summary).toMatchObject({ Count: 2, UnprocessedNum: 0, Status: 1 });
    expect(ok(await imageList({ Status: '1', SensitiveFileKey: 'aws_access_key' })).ImageInfos.map((i: { Uuid: string }) => i.Uuid)).toEqual([img.b, img.a]);
    // Over all its files, image a still has unhandled ones; image b's PEM is unhandled too.
    expect(ok(await imageList({ Status: '1' })).ImageInfos).toEqual([]);
    // The other tenant's view of the same manifest is untouched.
    expect(await statusOf('aws_access_key', tok.b)).toEqual({ [img.x]: '0' });

    expect(ok(await setStatus({ SensitiveFileKey: 'aws_access_key', ImageUuids: `${img.a},${img.b}`, Status: 2 })).Data).toEqual({ Id: 1 });
    expect(await statusOf('aws_access_key')).toEqual({ [img.a]: '2', [img.b]: '2' });
    expect((await states())[0]!.state).toBe('false_positive');

    expect(ok(await setStatus({ SensitiveFileKey: 'aws_access_key', Status: 0 })).Data).toEqual({ Id: 1 });
    expect(await states()).toEqual([]);
    expect(await statusOf('aws_access_key')).toEqual({ [img.a]: '0', [img.b]: '0' });
  });

  it('an image with some files handled and some not is unhandled (0)', async () => {
    // Without a key, an image's status covers all its files: image a still has unhandled ones.
    ok(await setStatus({ SensitiveFileKey: 'ssh_private_key', ImageUuids: img.a, Status: 1 }));
    expect(await statusOf('ssh_private_key')).toEqual({ [img.a]: '1' });
    expect(ok(await imageList({ Status: '0' })).ImageInfos.map((i: { Uuid: string }) => i.Uuid)).toEqual([img.b, img.a]);
    expect(ok(await imageList({ Status: '1' })).ImageInfos).toEqual([]);
    ok(await setStatus({ SensitiveFileKey: 'ssh_private_key', Status: 0 }));
  });

  it('takes parameters from a form body and flattened or JSON IdList when it is empty', async () => {
    const res = await postForm(`Action=SetImageSensitiveFileStatus&${V}`, q({ SensitiveFileKey: 'pem', ImageUuids: ` ${img.b} `, Status: 1, IdList: '[]', ScanRange: '["image"]' }));
    expect(ok(res).Data).toEqual({ Id: 1 });
    expect(ok(await setStatus({ SensitiveFileKey: 'pem', Status: 0, 'ScanRange.1': 'image' })).Data).toEqual({ Id: 1 });
    expect(ok(await setStatus({ SensitiveFileKey: 'pem', Status: 1, ScanRange: '["container"]' })).Data).toEqual({ Id: 0 });
    expect(await states()).toEqual([]);
  });

  it('cannot touch another tenant\'s images: it answers as if they did not exist', async () => {
    const res = await setStatus({ SensitiveFileKey: 'aws_access_key', ImageUuids: img.a, Status: 1 }, tok.b);
    expect(ok(res).Data).toEqual({ Id: 0 });
    expect(await states()).toEqual([]);
    expect(ok(await setStatus({ SensitiveFileKey: 'aws_access_key', ImageUuids: randomUUID(), Status: 1 })).Data).toEqual({ Id: 0 });
    // A credential limited to enterprise project ep1 selects files through its images only.
    expect(ok(await setStatus({ SensitiveFileKey: 'ssh_private_key', Status: 1 }, tok.aEp1)).Data).toEqual({ Id: 0 });
    expect(await states()).toEqual([]);
  });

  it.each([
    ['Status missing', { SensitiveFileKey: 'pem' }, 400, 'MissingParameter', 'The input parameter "Status" that is mandatory for processing this request is not supplied.'],
    ['SensitiveFileKey missing', { Status: 1 }, 400, 'MissingParameter', 'The input parameter "SensitiveFileKey" that is mandatory for processing this request is not supplied.'],
    ['Status 3', { SensitiveFileKey: 'pem', Status: 3 }, 400, 'InvalidParameter', 'The specified parameter "Status" is not valid: must be <= 2.'],
    ['Status a word', { SensitiveFileKey: 'pem', Status: 'ignore' }, 400, 'InvalidParameter', 'The specified parameter "Status" is not valid: must be integer.'],
    ['IdList with ids', { SensitiveFileKey: 'pem', Status: 1, IdList: '[18551]' }, 400, 'InvalidParameter', 'The specified parameter "IdList" is not valid: Tarsier has no numeric sensitive-file ids; select files with SensitiveFileKey and ImageUuids.'],
    ['IdList of strings', { SensitiveFileKey: 'pem', Status: 1, IdList: '["a"]' }, 400, 'InvalidParameter', 'The specified parameter "IdList[0]" is not valid: must be integer.'],
    ['ImageUuids with an empty item', { SensitiveFileKey: 'pem', Status: 1, ImageUuids: 'f58681174f944623345379e23b7b0000,,' }, 400, 'InvalidParameter', 'The specified parameter "ImageUuids" is not valid: it must be image UUIDs separated by commas.'],
  ])('errors: %s', async (_name, params, status, code, message) => {
    aliError(await setStatus(params as Record<string, string | number>), status, code, message);
    expect(await states()).toEqual([]);
  });
});

describe('dispatch and tenancy', () => {
  it('answers unknown and misspelt actions with InvalidAction.NotFound', async () => {
    for (const action of ['DescribeImageSensitiveFileByKeys', 'describeImageSensitiveFileByKey', 'DescribeImageSensitiveFile']) {
      aliError(await get(`Action=${action}&${V}`), 404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
    }
  });

  it('asks for a credential before anything else', async () => {
    const res = await fx.app.inject({ method: 'GET', url: `/?Action=DescribeImageSensitiveFileByKey&${V}&PageSize=0` });
    expect(res.statusCode).toBe(400);
    expect(res.json().Code).toBe('MissingParameter');
    expect(res.json().Message).not.toMatch(/PageSize/);
  });

  it("another project's credential sees only its own images, even of the same manifest", async () => {
    expect(ok(await byKey({ ImageUuid: img.a }, tok.b)).SensitiveFileList).toEqual([]);
    expect(ok(await byKey({ ImageUuid: img.a.replace(/-/g, '') }, tok.b)).PageInfo.TotalCount).toBe(0);
    const own = ok(await byKey({ ImageUuid: img.x, SensitiveFileKey: 'aws_access_key' }, tok.b)).SensitiveFileList;
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ FirstScanTime: T4, LastScanTime: T4 });
    expect(ok(await byKey({}, tok.b)).PageInfo.TotalCount).toBe(5);
    expect(ok(await imageList({}, tok.b)).ImageInfos.map((i: { Uuid: string }) => i.Uuid)).toEqual([img.x]);
    expect(ok(await imageList({ RepoInstanceId: registryId }, tok.b)).ImageInfos).toEqual([]);
    const kinds = ok(await keyList({}, tok.b)).SensitiveFileList.map((f: { SensitiveFileKey: string; Count: number }) => [f.SensitiveFileKey, f.Count]);
    expect(kinds).toEqual([['aws_access_key', 1], ['custom:corp-token', 1], ['ssh_private_key', 1], ['common_cred', 1], ['git_cfg', 1]]);
    expect(ok(await imageList({}, tok.a)).ImageInfos.map((i: { Uuid: string }) => i.Uuid)).not.toContain(img.x);
  });

  it('a credential limited to an enterprise project sees that enterprise project only', async () => {
    expect(ok(await imageList({}, tok.aEp1)).ImageInfos.map((i: { Uuid: string }) => i.Uuid)).toEqual([img.b]);
    expect(ok(await byKey({ ImageUuid: img.a }, tok.aEp1)).PageInfo.TotalCount).toBe(0);
    expect(ok(await keyList({}, tok.aEp1)).SensitiveFileList.map((f: { SensitiveFileKey: string }) => f.SensitiveFileKey)).toEqual(['aws_access_key', 'pem']);
  });

  it('coexists with every module tarsier serve installs', async () => {
    const all = await apiFixture({ modules: API_MODULES });
    try {
      const doc = (await all.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      expect(Object.keys(doc.paths).filter((p) => p.startsWith('/?Action=') && p.includes('Sensitive')).sort()).toEqual([
        '/?Action=DescribeImageListBySensitiveFile',
        '/?Action=DescribeImageSensitiveFileByKey',
        '/?Action=DescribeImageSensitiveFileList',
        '/?Action=SetImageSensitiveFileStatus',
      ]);
    } finally {
      await all.close();
    }
  });

  it('is installed by tarsier serve and documented in the OpenAPI document', async () => {
    expect(API_MODULES).toContain(alibabaSensitiveModule);
    const doc = (await fx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const action of ['DescribeImageSensitiveFileByKey', 'DescribeImageSensitiveFileList', 'DescribeImageListBySensitiveFile', 'SetImageSensitiveFileStatus']) {
      const op = doc.paths[`/?Action=${action}`].post;
      expect(op.operationId).toBe(`Sas_${action}`);
      expect(op.responses['200'].content['application/json'].schema.type).toBe('object');
    }
    const byKeyOp = doc.paths['/?Action=DescribeImageSensitiveFileByKey'].post;
    const names = byKeyOp.parameters.map((p: { name: string }) => p.name).sort();
    expect(names).toEqual(['CurrentPage', 'ImageUuid', 'Lang', 'PageSize', 'ScanRange', 'SensitiveFileKey', 'Version']);
    expect(byKeyOp.parameters.find((p: { name: string }) => p.name === 'PageSize').schema).toMatchObject({ type: 'integer', minimum: 1, default: 20 });
    expect(byKeyOp.responses['200'].content['application/json'].schema.properties.SensitiveFileList.items.properties.Promt.type).toBe('string');
    const set = doc.paths['/?Action=SetImageSensitiveFileStatus'].post.parameters;
    expect(set.filter((p: { required: boolean }) => p.required).map((p: { name: string }) => p.name).sort()).toEqual(['SensitiveFileKey', 'Status', 'Version']);
  });
});

describe('the sensitive path whitelist', () => {
  it('hides findings under whitelisted paths from every action, as on the HSS surface', async () => {
    await fx.store.db.insertInto('sensitive_path_whitelist').values([{ project_id: 'proj-a', path: '/src/.git/*', created_at: T1 }, { project_id: 'proj-a', path: '/etc/app/', created_at: T1 }]).execute();
    try {
      expect(ok(await byKey({ ImageUuid: img.a })).SensitiveFileList.map((f: { SensitiveFileKey: string }) => f.SensitiveFileKey)).toEqual(['aws_access_key', 'custom:corp-token', 'ssh_private_key']);
      expect(ok(await keyList()).PageInfo.TotalCount).toBe(4);
      expect(ok(await imageList({ SensitiveFileKey: 'git_cfg' })).ImageInfos).toEqual([]);
      expect(ok(await setStatus({ SensitiveFileKey: 'git_cfg', Status: 1 })).Data).toEqual({ Id: 0 });
      // Another project's whitelist does not apply.
      expect(ok(await byKey({ SensitiveFileKey: 'git_cfg' }, tok.b)).PageInfo.TotalCount).toBe(1);
    } finally {
      await fx.store.db.deleteFrom('sensitive_path_whitelist').execute();
    }
  });
});

describe('signed requests (independent Python signer)', () => {
  it('V1 (HMAC-SHA1) GET and V3 (ACS3-HMAC-SHA256) form POST reach the actions in the signer\'s project', async () => {
    const key = await createAccessKey(fx.store, fx.services.box, { projectId: 'proj-a' });
    const v1: [string, string][] = [
      ['Action', 'DescribeImageSensitiveFileByKey'], ['Version', '2018-12-03'], ['Format', 'JSON'], ['AccessKeyId', key.accessKeyId],
      ['SignatureMethod', 'HMAC-SHA1'], ['SignatureVersion', '1.0'], ['SignatureNonce', randomUUID()], ['Timestamp', aliyunTimestamp(Date.now())],
      ['ImageUuid', img.a], ['SensitiveFileKey', 'aws_access_key'], ['ScanRange', '["image"]'], ['Lang', 'en'],
    ];
    const body = 'SensitiveFileKey=git_cfg&Status=1&ImageUuids=' + encodeURIComponent(img.a);
    const v3: SignSpec = {
      scheme: 'aliyun-v3', ak: key.accessKeyId, sk: key.secret, method: 'POST', path: '/', query: [], body,
      headers: {
        host: 'tarsier.test', 'x-acs-action': 'SetImageSensitiveFileStatus', 'x-acs-version': '2018-12-03', 'x-acs-date': aliyunTimestamp(Date.now()),
        'x-acs-signature-nonce': randomUUID(), 'content-type': 'application/x-www-form-urlencoded',
      },
    };
    const [sig1, auth3] = referenceSign([{ scheme: 'aliyun-v1', sk: key.secret, method: 'GET', params: v1 }, v3]);
    const r1 = await fx.app.inject({ method: 'GET', url: `/?${encodeQuery([...v1, ['Signature', sig1!]])}` });
    expect(ok(r1).SensitiveFileList.map((f: { SensitiveFileName: string }) => f.SensitiveFileName)).toEqual(['AWS Access Key']);
    const v3Headers = (v3 as Extract<SignSpec, { scheme: 'aliyun-v3' }>).headers;
    const r3 = await fx.app.inject({ method: 'POST', url: '/', payload: body, headers: { ...v3Headers, 'x-acs-content-sha256': sha256Hex(body), authorization: auth3! } });
    expect(ok(r3).Data).toEqual({ Id: 1 });
    expect(await statusOfGit()).toBe('1');
    // Replaying the signed request is refused.
    aliError(await fx.app.inject({ method: 'POST', url: '/', payload: body, headers: { ...v3Headers, 'x-acs-content-sha256': sha256Hex(body), authorization: auth3! } }), 400, 'SignatureNonceUsed');
    ok(await setStatus({ SensitiveFileKey: 'git_cfg', Status: 0 }));
  });
  const statusOfGit = async () => ok(await imageList({ SensitiveFileKey: 'git_cfg' })).ImageInfos[0].Status as string;
});

describe('findings of the real detector on real secret files', () => {
  it('reports what the scanner found, masked, with the file MD5', async () => {
    const corpus = (p: string) => readFile(new URL(`../../../shared/data/secrets-corpus/${p}`, import.meta.url));
    const rules = new CompiledRuleSet();
    const files = [
      { path: 'home/app/.ssh/id_ed25519', data: await corpus('gitleaks/id_ed25519') },
      { path: 'root/.pgpass', data: await corpus('osv-scalibr/pgpass/valid/.pgpass') },
    ];
    const found: Sens[] = files.flatMap((f) => scanBuffer(rules, f.path, f.data).map((s) => ({ key: s.key, severity: s.severity, path: f.path, layerDigest: L1.digest, md5: s.md5, masked: s.masked })));
    expect(found.map((s) => s.key).sort()).toEqual(['postgresql_passwd', 'ssh_private_key']);
    const digest = `sha256:${hex('9')}`;
    await storeAnalysis(fx, digest, [L1], found);
    await ensureProject(fx.store, 'proj-real');
    const token = (await createToken(fx.store, { projectId: 'proj-real' })).token;
    const id = await upsertImage(fx.store, { projectId: 'proj-real', imageType: 'cicd', imageName: 'real', imageVersion: '1', reference: 'real:1' });
    await scanned(fx, id, digest, found, T1);
    const list = ok(await byKey({ ImageUuid: id, Lang: 'en' }, token)).SensitiveFileList;
    for (const f of files) {
      const item = list.find((i: { FilePath: string }) => i.FilePath === `/${f.path}`);
      const finding = found.find((s) => s.path === f.path)!;
      expect(item).toMatchObject({ SensitiveFileKey: finding.key, Promt: finding.masked, Md5: createHash('md5').update(f.data).digest('hex'), SensitiveFileName: cat(finding.key).name.en });
      // Masked: the secret itself never comes back.
      expect(item.Promt.length).toBeLessThan(f.data.length);
    }
    expect(list.find((i: { SensitiveFileKey: string }) => i.SensitiveFileKey === 'ssh_private_key').Promt).not.toContain('AAAAECzmj8DGxg5YHtBK4AmBttMXDQHsPAaCyYHQjJ4YujRBTxhY');
  });
});

describe('bad input never reaches a 5xx', () => {
  const actions = ['DescribeImageSensitiveFileByKey', 'DescribeImageSensitiveFileList', 'DescribeImageListBySensitiveFile', 'SetImageSensitiveFileStatus'] as const;
  const key = fc.constantFrom(
    'SensitiveFileKey', 'ImageUuid', 'ImageUuids', 'ScanRange', 'ScanRange.1', 'ScanRange.0', 'Lang', 'CurrentPage', 'PageSize', 'Criteria', 'CriteriaType',
    'RiskLevel', 'SensitiveKeyList', 'SensitiveKeyList.2', 'ImageDigest', 'RepoName', 'RepoNamespace', 'RepoInstanceId', 'Status', 'IdList', 'IdList.1', '__proto__', 'constructor',
  );
  const value = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.integer().map(String),
    fc.double().map(String),
    fc.constantFrom('', '0', '1', '2', '3', '-1', '1000', '1001', '1e3', '9999999999999999999', 'zh', 'en', 'high', 'high,low', 'critical', 'image', '["image"]', '["container","image"]', '["x"]', '[]', '[1,2]', '{"a":1}', 'null', '%', '%ZZ', 'aws_access_key', 'custom:corp-token', 'SensitiveFileName', 'SensitiveFileKey', '\u0000', '私钥', "'; DROP TABLE images; --"),
  );
  const pairs = fc.array(fc.tuple(key, value), { maxLength: 7 });

  it('every answer to generated parameters is a 2xx or a 4xx in the Alibaba shape', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...actions), pairs, fc.constantFrom('get', 'form', 'query'), fc.constantFrom<'a' | 'b'>('a', 'b'), async (action, ps, how, who) => {
        const qs = ps.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const token = tok[who];
        const res = how === 'form' ? await postForm(`Action=${action}&${V}`, qs, token) : how === 'query' ? await postQuery(`Action=${action}&${V}&${qs}`, token) : await get(`Action=${action}&${V}&${qs}`, token);
        expect(res.statusCode, res.body).toBeLessThan(500);
        const body = res.json();
        if (res.statusCode >= 400) {
          expect(Object.keys(body).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
          expect(['InvalidParameter', 'MissingParameter']).toContain(body.Code);
        } else {
          expect(body).toMatchObject({ Success: true, Code: '200', Message: 'successful' });
        }
      }),
      { numRuns: 250 },
    );
    // Fuzzed status changes may have set handling; whatever they set stays inside the caller's project.
    const leaked = await fx.store.db.selectFrom('finding_states').select('project_id').where('project_id', 'not in', ['proj-a', 'proj-b']).execute();
    expect(leaked).toEqual([]);
  });
});
