#!/usr/bin/env python3
"""Reference request signers for the API tests, written from the vendors' published algorithms
(Huawei Cloud API signing guide / SDK signer, Alibaba Cloud RPC V1 and V3 signature docs) with
Python's hmac and hashlib only, independent of the TypeScript verifier under test.

stdin: a JSON list of specs; stdout: a JSON list with one Authorization header or Signature each.
"""
import base64
import hashlib
import hmac
import json
import sys
from urllib.parse import quote, unquote


def pct(s):
    # RFC 3986: everything but A-Z a-z 0-9 - _ . ~ is escaped; space is %20.
    return quote(s, safe='-_.~')


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def hss(spec):
    headers = {k.lower(): v for k, v in spec['headers'].items()}
    headers['x-sdk-date'] = spec['sdkDate']
    signed = sorted(headers)
    uri = '/'.join(pct(unquote(seg)) for seg in spec['path'].split('/'))
    if not uri.endswith('/'):
        uri += '/'
    query = '&'.join(f'{pct(k)}={pct(v)}' for k, v in sorted(spec['query']))
    canonical_headers = ''.join(f'{h}:{headers[h].strip()}\n' for h in signed)
    body_hash = headers.get('x-sdk-content-sha256') or sha256_hex(spec['body'].encode())
    canonical = '\n'.join([spec['method'], uri, query, canonical_headers, ';'.join(signed), body_hash])
    string_to_sign = f"SDK-HMAC-SHA256\n{spec['sdkDate']}\n{sha256_hex(canonical.encode())}"
    signature = hmac.new(spec['sk'].encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"SDK-HMAC-SHA256 Access={spec['ak']}, SignedHeaders={';'.join(signed)}, Signature={signature}"


def aliyun_v1(spec):
    pairs = sorted((pct(k), pct(v)) for k, v in spec['params'] if k != 'Signature')
    canonical = '&'.join(f'{k}={v}' for k, v in pairs)
    string_to_sign = f"{spec['method']}&{pct('/')}&{pct(canonical)}"
    digest = hmac.new((spec['sk'] + '&').encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def aliyun_v3(spec):
    headers = {k.lower(): v for k, v in spec['headers'].items()}
    headers['x-acs-content-sha256'] = sha256_hex(spec['body'].encode())
    signed = sorted(h for h in headers if h.startswith('x-acs-') or h in ('host', 'content-type'))
    query = '&'.join(f'{k}={pct(v)}' for k, v in sorted(spec['query']))
    canonical_headers = ''.join(f'{h}:{headers[h].strip()}\n' for h in signed)
    canonical = '\n'.join([spec['method'], spec['path'], query, canonical_headers, ';'.join(signed), headers['x-acs-content-sha256']])
    string_to_sign = 'ACS3-HMAC-SHA256\n' + sha256_hex(canonical.encode())
    signature = hmac.new(spec['sk'].encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"ACS3-HMAC-SHA256 Credential={spec['ak']},SignedHeaders={';'.join(signed)},Signature={signature}"


SCHEMES = {'hss': hss, 'aliyun-v1': aliyun_v1, 'aliyun-v3': aliyun_v3}

if __name__ == '__main__':
    json.dump([SCHEMES[s['scheme']](s) for s in json.load(sys.stdin)], sys.stdout)
