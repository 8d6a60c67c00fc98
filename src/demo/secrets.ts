/**
 * The secrets planted in the demo images. Every value is derived from a fixed seed: it has the
 * shape of the real thing (so scanners find it, as they would find a leaked one) but was never
 * issued by any provider and opens nothing. The files say so in comments where their format
 * allows comments. AWS's documentation key (AKIAIOSFODNN7EXAMPLE) is not used: scanners rightly
 * ignore it.
 */
import { createPrivateKey } from 'node:crypto';
import { opensshPrivateKey, opensshPublicKey, SeededBytes, seededEd25519Key, seededRsaKey } from './keys.js';

const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const B64 = `${ALNUM}+/`;

export interface DemoSecrets {
  /** `/root/.ssh/id_rsa` (OpenSSH format) and its public half. */
  rootSshKey: string;
  rootSshPublicKey: string;
  /** `/etc/ssh/ssh_host_ed25519_key`, as openssh-server's postinst leaves it in the image. */
  hostKey: string;
  hostPublicKey: string;
  /** A SEC1 EC key copied in and deleted by a later layer: still inside the image. */
  deployKey: string;
  awsAccessKeyId: string;
  awsSecretAccessKey: string;
  awsCredentials: string;
  netrc: string;
  dotenv: string;
  /** Value of an `ENV DB_PASSWORD=` instruction. */
  dbPassword: string;
  npmrc: string;
  /** Spring Boot `application.properties` with a datasource password. */
  springProperties: string;
  dockerConfig: string;
}

/** P-256 private key in PKCS#8 without the optional public key: OpenSSL derives it. */
function seededEcKey(bytes: SeededBytes): string {
  const d = bytes.next(32);
  d[0] = (d[0] as number) & 0x7f; // below the group order
  const der = Buffer.concat([Buffer.from('3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420', 'hex'), d]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'sec1', format: 'pem' }).toString();
}

export function demoSecrets(seed = 'tarsier-demo-1'): DemoSecrets {
  const bytes = new SeededBytes(`secrets:${seed}`);
  const rsa = seededRsaKey(`root:${seed}`);
  const host = seededEd25519Key(`host:${seed}`);
  const awsAccessKeyId = `AKIA${bytes.chars(16, UPPER_DIGITS)}`;
  const awsSecretAccessKey = bytes.chars(40, B64);
  const dbPassword = bytes.chars(20, ALNUM);
  const netrcPassword = bytes.chars(24, ALNUM);
  const githubToken = `ghp_${bytes.chars(36, ALNUM)}`;
  const appSecret = bytes.chars(48, ALNUM);
  const npmToken = `npm_${bytes.chars(36, ALNUM)}`;
  const springPassword = bytes.chars(18, ALNUM);
  const registryAuth = Buffer.from(`ci-bot:${bytes.chars(22, ALNUM)}`).toString('base64');
  return {
    rootSshKey: opensshPrivateKey(rsa, 'root@buildkitsandbox', `root:${seed}`),
    rootSshPublicKey: opensshPublicKey(rsa, 'root@buildkitsandbox'),
    hostKey: opensshPrivateKey(host, 'root@buildkitsandbox', `host:${seed}`),
    hostPublicKey: opensshPublicKey(host, 'root@buildkitsandbox'),
    deployKey: seededEcKey(bytes),
    awsAccessKeyId,
    awsSecretAccessKey,
    awsCredentials: `# Tarsier demo: generated credentials, never issued by AWS\n[default]\naws_access_key_id = ${awsAccessKeyId}\naws_secret_access_key = ${awsSecretAccessKey}\nregion = eu-west-1\n`,
    netrc: `machine git.internal.corp\nlogin deploy\npassword ${netrcPassword}\n`,
    dotenv: [
      '# Tarsier demo: generated values, never issued by any service',
      'APP_ENV=production',
      'DATABASE_HOST=db.internal.corp',
      'DATABASE_USER=app',
      `DATABASE_PASSWORD=${dbPassword}`,
      `APP_SECRET_KEY=${appSecret}`,
      `GITHUB_TOKEN=${githubToken}`,
      '',
    ].join('\n'),
    dbPassword,
    npmrc: `//registry.npmjs.org/:_authToken=${npmToken}\n`,
    springProperties: [
      '# Tarsier demo: generated values',
      'server.port=8080',
      'spring.datasource.url=jdbc:mysql://db.internal.corp:3306/orders',
      'spring.datasource.username=orders',
      `spring.datasource.password=${springPassword}`,
      '',
    ].join('\n'),
    dockerConfig: `${JSON.stringify({ auths: { 'registry.internal.corp': { auth: registryAuth } } }, null, '\t')}\n`,
  };
}
