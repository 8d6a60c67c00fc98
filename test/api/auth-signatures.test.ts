/**
 * Signature algorithms against vectors from outside this code base: the vendors' own published
 * vectors (Huawei Cloud Go SDK signer tests, Alibaba Cloud RPC signature documentation) and an
 * independent Python implementation (vendor_signatures.py) on generated requests.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aliyunV1Signature, aliyunV1StringToSign, parseAliyunTimestamp } from '../../src/api/auth/aliyun-v1.js';
import { aliyunV3CanonicalRequest, aliyunV3Signature, parseAcs3Authorization } from '../../src/api/auth/aliyun-v3.js';
import { type Pair, rfc3986, sha256Hex } from '../../src/api/auth/encoding.js';
import { hssCanonicalRequest, hssSignature, hssStringToSign, parseSdkAuthorization, parseSdkDate } from '../../src/api/auth/hss-signature.js';
import { referenceSign, type SignSpec } from '../helpers/api-foundation.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('vendor-published vectors', () => {
  // huaweicloud-sdk-go-v3 core/auth/signer/signer_test.go: AK "AccessKey", SK "SecretKey", endpoint https://example.huaweicloud.com.
  it('SDK-HMAC-SHA256: the Go SDK signer test, GET with a query', () => {
    const canonical = hssCanonicalRequest({ method: 'GET', path: '/path', query: [['limit', '1']], headers: { 'x-sdk-date': '20060102T150405Z' }, signedHeaders: ['x-sdk-date'], payloadHash: EMPTY_SHA256 });
    expect(hssSignature('SecretKey', hssStringToSign(canonical!, '20060102T150405Z'))).toBe('5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624');
  });

  it('SDK-HMAC-SHA256: the Go SDK signer test, POST with a JSON body', () => {
    // Go's json.Encoder writes {"Name":"test","Id":1} followed by a newline.
    const canonical = hssCanonicalRequest({ method: 'POST', path: '/path', query: [['key', 'value']], headers: { 'x-sdk-date': '20060102T150405Z' }, signedHeaders: ['x-sdk-date'], payloadHash: sha256Hex('{"Name":"test","Id":1}\n') });
    expect(hssSignature('SecretKey', hssStringToSign(canonical!, '20060102T150405Z'))).toBe('cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59');
  });

  it('SDK-HMAC-SHA256: the Go SDK canonical query string test', () => {
    const query: Pair[] = [['limit', '1'], ['enable', 'true'], ['test', '一 (&=?!#%.*)'], ['path', '/tmp/123'], ['multi', '3'], ['multi', '1'], ['multi', '2']];
    const canonical = hssCanonicalRequest({ method: 'GET', path: '/', query, headers: {}, signedHeaders: [], payloadHash: EMPTY_SHA256 })!;
    expect(canonical.split('\n')[2]).toBe('enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29');
  });

  // Alibaba Cloud "Signature method" (RPC V1) documentation example: AccessKeySecret "testsecret".
  it('Alibaba V1: the documented DescribeRegions example', () => {
    const params: Pair[] = [
      ['Timestamp', '2016-02-23T12:46:24Z'],
      ['Format', 'XML'],
      ['AccessKeyId', 'testid'],
      ['Action', 'DescribeRegions'],
      ['SignatureMethod', 'HMAC-SHA1'],
      ['SignatureNonce', '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf'],
      ['Version', '2014-05-26'],
      ['SignatureVersion', '1.0'],
    ];
    const sts = aliyunV1StringToSign('GET', params)!;
    expect(sts).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    expect(aliyunV1Signature('testsecret', sts)).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    // Signature itself is never part of what is signed.
    expect(aliyunV1StringToSign('GET', [...params, ['Signature', 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=']])).toBe(sts);
  });
});

describe('parsers', () => {
  it('reads dates strictly', () => {
    expect(parseSdkDate('20060102T150405Z')).toBe(Date.UTC(2006, 0, 2, 15, 4, 5));
    for (const bad of ['20060102T150405', '2006-01-02T15:04:05Z', '20061302T150405Z', '20060230T150405Z', '20060102T250405Z', '']) expect(parseSdkDate(bad), bad).toBeUndefined();
    expect(parseAliyunTimestamp('2016-02-23T12:46:24Z')).toBe(Date.UTC(2016, 1, 23, 12, 46, 24));
    expect(parseAliyunTimestamp('2016-02-23T12:46:24.123Z')).toBe(Date.UTC(2016, 1, 23, 12, 46, 24, 123));
    for (const bad of ['2016-02-23 12:46:24Z', '2016-02-30T12:46:24Z', '2016-02-23T12:46:24+08:00', '1456231584']) expect(parseAliyunTimestamp(bad), bad).toBeUndefined();
  });

  it('reads Authorization headers and refuses incomplete ones', () => {
    expect(parseSdkAuthorization(`SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=${'a'.repeat(64)}`)).toEqual({ accessKey: 'AK1', signedHeaders: ['host', 'x-sdk-date'], signature: 'a'.repeat(64) });
    expect(parseSdkAuthorization(`SDK-HMAC-SHA256 Access=AK1, Signature=${'a'.repeat(64)}`)).toBeUndefined();
    expect(parseSdkAuthorization('SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature=zz')).toBeUndefined();
    expect(parseAcs3Authorization(`ACS3-HMAC-SHA256 Credential=AK2,SignedHeaders=host;x-acs-date,Signature=${'B'.repeat(64)}`)).toEqual({ accessKeyId: 'AK2', signedHeaders: ['host', 'x-acs-date'], signature: 'b'.repeat(64) });
    expect(parseAcs3Authorization('ACS3-HMAC-SHA256 Credential=AK2')).toBeUndefined();
    expect(rfc3986("a b!'()*~-_.")).toBe('a%20b%21%27%28%29%2A~-_.');
  });
});

describe('agreement with an independent implementation on generated requests', () => {
  const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,15}$/);
  const value = fc.string({ unit: 'grapheme', maxLength: 24 });
  const query = fc.uniqueArray(fc.tuple(key, value), { maxLength: 6, selector: ([k]) => k });
  const segment = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((s) => s !== '.' && s !== '..');
  const body = fc.oneof(fc.constant(''), fc.json({ maxDepth: 2 }));
  const secret = fc.string({ unit: 'grapheme-ascii', minLength: 8, maxLength: 40 });

  it('SDK-HMAC-SHA256, Alibaba V1 and V3 agree with vendor_signatures.py on 60 requests each', () => {
    const hss = fc.sample(fc.record({ segments: fc.array(segment, { minLength: 1, maxLength: 4 }), query, body, secret, method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), extra: value }), { numRuns: 60, seed: 7 });
    const v1 = fc.sample(fc.record({ params: query, secret, method: fc.constantFrom('GET', 'POST') }), { numRuns: 60, seed: 8 });
    const v3 = fc.sample(fc.record({ query, body, secret, method: fc.constantFrom('GET', 'POST'), nonce: fc.uuid() }), { numRuns: 60, seed: 9 });
    const date = '20240301T101112Z';
    const specs: SignSpec[] = [
      ...hss.map((r): SignSpec => ({
        scheme: 'hss', ak: 'AKTEST', sk: r.secret, method: r.method,
        path: '/v5/' + r.segments.map((s) => encodeURIComponent(s)).join('/'),
        query: r.query, headers: { host: 'hss.example.com', 'x-custom': r.extra }, body: r.body, sdkDate: date,
      })),
      ...v1.map((r): SignSpec => ({ scheme: 'aliyun-v1', sk: r.secret, method: r.method, params: [...r.params, ['Action', 'DescribeX'], ['Version', '2018-12-03']] })),
      ...v3.map((r): SignSpec => ({
        scheme: 'aliyun-v3', ak: 'AKV3', sk: r.secret, method: r.method, path: '/', query: r.query, body: r.body,
        headers: { host: 'tds.example.com', 'x-acs-action': 'DescribeX', 'x-acs-version': '2018-12-03', 'x-acs-date': '2024-03-01T10:11:12Z', 'x-acs-signature-nonce': r.nonce, 'content-type': 'application/x-www-form-urlencoded' },
      })),
    ];
    const expected = referenceSign(specs);
    specs.forEach((spec, i) => {
      if (spec.scheme === 'hss') {
        const headers = { ...spec.headers, 'x-sdk-date': spec.sdkDate };
        const signedHeaders = Object.keys(headers).sort();
        const canonical = hssCanonicalRequest({ method: spec.method, path: spec.path, query: spec.query, headers, signedHeaders, payloadHash: sha256Hex(spec.body) });
        expect(canonical, JSON.stringify(spec)).toBeDefined();
        expect(`Signature=${hssSignature(spec.sk, hssStringToSign(canonical!, spec.sdkDate))}`).toBe(expected[i]!.split(', ')[2]);
      } else if (spec.scheme === 'aliyun-v1') {
        expect(aliyunV1Signature(spec.sk, aliyunV1StringToSign(spec.method, spec.params)!), JSON.stringify(spec)).toBe(expected[i]);
      } else {
        const payloadHash = sha256Hex(spec.body);
        const headers = { ...spec.headers, 'x-acs-content-sha256': payloadHash };
        const auth = parseAcs3Authorization(expected[i]!)!;
        const canonical = aliyunV3CanonicalRequest({ method: spec.method, path: spec.path, query: spec.query, headers, signedHeaders: auth.signedHeaders, payloadHash });
        expect(aliyunV3Signature(spec.sk, canonical!), JSON.stringify(spec)).toBe(auth.signature);
      }
    });
  });
});
