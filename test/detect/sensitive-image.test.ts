/**
 * End to end through the real spine: an image whose second layer deletes a secret file the first
 * layer added ("COPY secret, RUN rm"). The secret is still inside the image, so it is reported
 * with the layer that holds it, marked not visible; the report never contains the value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerMetaAnalyzer } from '../../src/analysis/analyzers/layer-meta.js';
import { sensitiveAnalyzer } from '../../src/analysis/analyzers/sensitive.js';
import { detectSensitive } from '../../src/detect/sensitive/detect.js';
import { buildReport, emptyFindings } from '../../src/report/model.js';
import { buildImage, removeDir, scan, tempDir } from '../helpers/image-fixtures.js';
import * as F from './sensitive-fixtures.js';
import { ALNUM, password, rand } from './sensitive-fixtures.js';

const ghp = `ghp_${rand(ALNUM, 36)}`;
const dbPw = password(18);

let dir: string | undefined;
beforeAll(async () => {
  dir = await tempDir('tarsier-sensitive-');
});
afterAll(async () => removeDir(dir));

describe('secrets in every layer', () => {
  it('reports a file deleted by a later layer with the layer that holds it', async () => {
    const built = await buildImage(
      'oci',
      {
        layers: [
          {
            createdBy: 'COPY . /srv/app',
            entries: [
              { path: 'srv/app', type: 'dir' },
              { path: 'srv/app/.env', content: `NODE_ENV=production\nGITHUB_TOKEN=${ghp}\n` },
              { path: 'root/.ssh/id_rsa', content: F.RSA_PKCS1, mode: 0o600 },
              { path: 'srv/app/index.js', content: 'console.log("hello");\n' },
              { path: 'usr/share/doc/demo/key.pem', content: F.RSA_PKCS8 },
            ],
          },
          {
            createdBy: 'RUN rm /srv/app/.env',
            entries: [{ path: 'srv/app/.wh..env', content: '' }],
          },
        ],
        config: { config: { Env: [`DB_PASSWORD=${dbPw}`] } },
      },
      dir as string,
      'deleted-secret',
    );
    const { inventory } = await scan(built.ref, { analyzers: [layerMetaAnalyzer, sensitiveAnalyzer] });
    const layer1 = built.image.layers[0];
    const found = inventory.sensitive.map((s) => ({ path: s.path, key: s.key, visible: s.visible, layer: s.layerDigest }));
    expect(found.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'root/.ssh/id_rsa', key: 'ssh_private_key', visible: true, layer: layer1?.digest },
      { path: 'srv/app/.env', key: 'github_personal_token', visible: false, layer: layer1?.digest },
    ]);

    const entries = detectSensitive(inventory, { lang: 'en' });
    expect(entries.map((e) => `${e.key} ${e.path}`).sort()).toEqual(['common_cred config:Env', 'github_personal_token srv/app/.env', 'ssh_private_key root/.ssh/id_rsa']);
    const report = JSON.stringify(buildReport(inventory, { ...emptyFindings(), sensitive: entries }));
    for (const planted of [ghp, dbPw, F.RSA_PKCS1.split('\n')[1] as string]) expect(report).not.toContain(planted);
    expect(entries.find((e) => e.path === 'srv/app/.env')?.md5).toMatch(/^[0-9a-f]{32}$/);
  });
});
