/** History normalisation across builders, layer mapping, base-image boundary, masking and instruction length. */
import { describe, expect, it } from 'vitest';
import { baseImageBoundary, buildSteps, parseCreatedBy } from '../../src/detect/build/history.js';
import { displayInstruction, MAX_INSTRUCTION } from '../../src/detect/build/instruction.js';
import { isPinned, packageCommand, unpinnedPackages } from '../../src/detect/build/packages.js';
import { isRealSecretValue, isSecretName, maskSecrets } from '../../src/detect/build/secrets.js';
import { commandWords, parseShell, programOf } from '../../src/detect/build/shell.js';

describe('created_by normalisation', () => {
  it.each([
    ['/bin/sh -c apt-get update && apt-get install -y curl', 'classic', 'RUN', 'apt-get update && apt-get install -y curl'],
    ['/bin/sh -c #(nop)  ENV NGINX_VERSION=1.17.0', 'classic', 'ENV', 'NGINX_VERSION=1.17.0'],
    ['/bin/sh -c #(nop)  CMD ["nginx" "-g" "daemon off;"]', 'classic', 'CMD', '["nginx" "-g" "daemon off;"]'],
    ['/bin/sh -c #(nop) ADD file:262490f82459c14632f5c9a6d6a5cf6c07b4f307e8fd380fa764662cda46e88f in / ', 'classic', 'ADD', 'file:262490f82459 /'],
    ['/bin/sh -c #(nop) COPY dir:3a024d80e0f1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9d0e1 in ./files ', 'classic', 'COPY', 'dir:3a024d80e0f1 ./files'],
    ['RUN /bin/sh -c echo "hello" # buildkit', 'buildkit', 'RUN', 'echo "hello"'],
    ['COPY ./foo /foo # buildkit', 'buildkit', 'COPY', './foo /foo'],
    ['ADD https://example.com/x.tgz /opt/ # buildkit', 'buildkit', 'ADD', 'https://example.com/x.tgz /opt/'],
    ['EXPOSE map[8080/tcp:{}]', 'buildkit', 'EXPOSE', 'map[8080/tcp:{}]'],
    ['HEALTHCHECK NONE', 'buildkit', 'HEALTHCHECK', 'NONE'],
    ['USER root', 'buildkit', 'USER', 'root'],
    ['/bin/sh -c #(nop) HEALTHCHECK NONE|unsetLabel=true|inheritLabels=false|force-mtime=10', 'buildah', 'HEALTHCHECK', 'NONE'],
    ['/bin/sh -c #(nop) COPY dir:abc in ./files |inheritLabels=false', 'buildah', 'COPY', 'dir:abc in ./files'],
    ['/bin/bash -o pipefail -c #(nop)  WORKDIR /app', 'classic', 'WORKDIR', '/app'],
    ['/bin/bash -o pipefail -c curl -fsSL x | tar xz', 'classic', 'RUN', 'curl -fsSL x | tar xz'],
    ['# debian.sh --arch \'amd64\' out/ \'bookworm\' \'@1733097600\'', 'unknown', '', "# debian.sh --arch 'amd64' out/ 'bookworm' '@1733097600'"],
    ['bazel build ...', 'unknown', '', 'bazel build ...'],
    ['', 'unknown', '', ''],
  ])('%s', (raw, producer, instruction, args) => {
    const p = parseCreatedBy(raw);
    expect(p.producer).toBe(producer);
    expect(p.instruction).toBe(instruction);
    expect(p.instruction === 'RUN' ? p.command : (buildSteps([{ created_by: raw }], [])[0]?.args ?? '')).toBe(args);
  });

  it('splits classic and BuildKit build-argument prefixes', () => {
    const classic = parseCreatedBy('|2 HTTP_TOKEN=abc123 VERSION=1.2 /bin/sh -c make');
    expect(classic).toMatchObject({ instruction: 'RUN', command: 'make', shell: '/bin/sh -c', buildArgs: [{ name: 'HTTP_TOKEN', value: 'abc123' }, { name: 'VERSION', value: '1.2' }] });
    const bk = parseCreatedBy('RUN |1 pkg=curl /bin/sh -c apk add $pkg # buildkit');
    expect(bk).toMatchObject({ producer: 'buildkit', command: 'apk add $pkg', buildArgs: [{ name: 'pkg', value: 'curl' }] });
    expect(parseCreatedBy('RUN ["/bin/sh","-c","echo hi"] # buildkit').command).toBe('echo hi');
  });
});

describe('layer mapping and base image', () => {
  const history = [
    { created_by: '/bin/sh -c #(nop) ADD file:2e3a37883f56a4a278bec2931fc9f91fb9ebdaa9047540fe8fde419b84a1701b in / ' },
    { created_by: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', empty_layer: true },
    { created_by: '/bin/sh -c #(nop)  ENV A=1', empty_layer: true },
    { created_by: '/bin/sh -c apk add curl' },
    { created_by: 'USER app', empty_layer: true },
    { created_by: 'COPY . /app # buildkit' },
    { created_by: 'CMD ["/app/run"]', empty_layer: true },
  ];

  it('maps the k-th layer-producing entry to diff_ids[k]; empty_layer entries make none', () => {
    const steps = buildSteps(history, ['sha256:a', 'sha256:b', 'sha256:c']);
    expect(steps.map((s) => s.layerDiffId)).toEqual(['sha256:a', null, null, 'sha256:b', null, 'sha256:c', null]);
    expect(steps.map((s) => s.inherited)).toEqual([true, true, false, false, false, false, false]);
  });

  it('gives up on layer mapping when the counts differ (squashed or tool-built images)', () => {
    expect(buildSteps(history, ['sha256:only']).every((s) => s.layerDiffId === null)).toBe(true);
  });

  it('treats an image made of its root-filesystem ADD as all base', () => {
    expect(baseImageBoundary(history.slice(0, 2))).toBe(1);
    expect(baseImageBoundary([{ created_by: 'apko' }])).toBe(-1);
    expect(baseImageBoundary([])).toBe(-1);
  });
});

describe('shell parsing', () => {
  it('splits on &&, ||, ;, | and newlines; keeps quotes, $(…) and <(…) inside words; drops redirections', () => {
    const p = parseShell(`set -eux; apt-get update && apt-get install -y "a b" \\\n c || true; curl -fsSL https://x/i.sh | sudo -E bash -s -- --y; x="$(a | b)"; bash <(curl -s y) 2>/dev/null; xargs -rt apt-get install < list.txt`);
    expect(p.map((pl) => pl.map((c) => c.words.join(' ')))).toEqual([
      ['set -eux'],
      ['apt-get update'],
      ['apt-get install -y a b c'],
      ['true'],
      ['curl -fsSL https://x/i.sh', 'sudo -E bash -s -- --y'],
      ['x=$(a | b)'],
      ['bash <(curl -s y)'],
      ['xargs -rt apt-get install'],
    ]);
    const sudoBash = p[4]?.[1];
    expect(programOf(commandWords(sudoBash ?? { words: [], raw: '' }))).toBe('bash');
    expect(programOf(commandWords(p[7]?.[0] ?? { words: [], raw: '' }))).toBe('apt-get');
  });

  it('treats a plain subshell as grouping', () => {
    expect(parseShell('(cd /src && make install)').flat().map((c) => c.words.join(' '))).toEqual(['cd /src', 'make install']);
  });
});

describe('package commands', () => {
  it('reads manager, action, packages and pins', () => {
    const pc = (s: string) => packageCommand(parseShell(s)[0]?.[0] ?? { words: [], raw: '' });
    expect(unpinnedPackages(pc('apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confold curl=7.64.0-4 wget') as never)).toEqual(['wget']);
    expect(unpinnedPackages(pc('apk add --no-cache --virtual .build-deps gcc musl-dev=1.2.3-r4') as never)).toEqual(['gcc']);
    expect(unpinnedPackages(pc('pip install --no-cache-dir -r requirements.txt flask==2.0 requests') as never)).toEqual(['requests']);
    expect(unpinnedPackages(pc('python3 -m pip install ./dist/app.whl') as never)).toEqual([]);
    expect(unpinnedPackages(pc('npm ci') as never)).toEqual([]);
    expect(unpinnedPackages(pc('npm install -g @scope/tool@1.2.3 yarn') as never)).toEqual(['yarn']);
    expect(unpinnedPackages(pc('yum install -y httpd-2.4.6 mod_ssl') as never)).toEqual(['mod_ssl']);
    expect(unpinnedPackages(pc('gem install bundler -v 2.1.4') as never)).toEqual([]);
    expect(unpinnedPackages(pc('go install golang.org/x/tools/gopls@latest') as never)).toEqual(['golang.org/x/tools/gopls@latest']);
    expect(pc('dnf makecache')?.action).toBe('update');
    expect(pc('zypper dup')?.action).toBe('dist-upgrade');
    expect(isPinned('apt', 'curl')).toBe(false);
  });
});

describe('secrets and instruction text', () => {
  it('recognises secret names and real values', () => {
    for (const n of ['DB_PASSWORD', 'NPM_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'api_key', 'VITE_GITHUB_TOKEN', 'CLIENT_SECRET', 'MY_PASS']) expect(isSecretName(n), n).toBe(true);
    for (const n of ['GPG_KEYS', 'PUBLIC_KEY', 'KEYCLOAK_HOME', 'ACCESS_LOG', 'POSTGRES_PASSWORD_FILE', 'NGINX_VERSION', 'TOMCAT_SHA512']) expect(isSecretName(n), n).toBe(false);
    for (const v of ['', 'true', '${DB_PASSWORD}', '$X', '<your-token>', '/run/secrets/db', 'changeme']) expect(isRealSecretValue(v), v).toBe(false);
    expect(isRealSecretValue('s3cr3t-Value')).toBe(true);
  });

  it('masks values, URL credentials, headers, options and tokens', () => {
    expect(maskSecrets('RUN |1 NPM_TOKEN=abcd1234 /bin/sh -c npm ci')).toBe('RUN |1 NPM_TOKEN=****** /bin/sh -c npm ci');
    expect(maskSecrets('git clone https://ghp_0123456789abcdefghijklmnopqrstuvwxyzAB@github.com/o/r')).toBe('git clone https://ghp_******@github.com/o/r');
    expect(maskSecrets('curl -u admin:hunter2 https://x')).toBe('curl -u admin:****** https://x');
    expect(maskSecrets('curl -H "Authorization: Bearer eyJhbGciOi" https://x')).toBe('curl -H "Authorization: Bearer ******" https://x');
    expect(maskSecrets('docker login -u me -p s3cret registry')).toBe('docker login -u me -p ****** registry');
    expect(maskSecrets("echo 'root:toor' | chpasswd")).toBe("echo 'root:******' | chpasswd");
    expect(maskSecrets('ENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE')).toBe('ENV AWS_ACCESS_KEY_ID=AKIA******');
    expect(maskSecrets('mysql -h db -psecret')).toBe('mysql -h db -p******');
    expect(maskSecrets('VERSION=1.2 apt-get install x')).toBe('VERSION=1.2 apt-get install x');
  });

  it('keeps instructions within 256 characters around the matched fragment', () => {
    const long = `RUN ${'echo padding && '.repeat(40)}curl -k https://x/install.sh -o /tmp/i ${'&& echo more '.repeat(40)}`;
    const out = displayInstruction(long, 'curl -k https://x/install.sh');
    expect(out.length).toBeLessThanOrEqual(MAX_INSTRUCTION);
    expect(out).toContain('curl -k https://x/install.sh');
    expect(out.startsWith('...')).toBe(true);
    expect(out.endsWith('...')).toBe(true);
    expect(displayInstruction('RUN   echo\t\thi')).toBe('RUN echo hi');
    expect(displayInstruction('x'.repeat(1000)).length).toBe(MAX_INSTRUCTION);
  });
});
