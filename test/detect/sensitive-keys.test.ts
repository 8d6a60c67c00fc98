/**
 * Every catalog key: at least one realistic positive input (a file as it would sit in an image)
 * and one negative that is close to it (placeholder, public material, template, wrong shape).
 * The planted secret must never appear in the finding.
 */
import { describe, expect, it } from 'vitest';
import { SENSITIVE_KEYS } from '../../src/detect/sensitive/catalog.js';
import { CompiledRuleSet } from '../../src/detect/sensitive/ruleset.js';
import { scanBuffer, type SensitiveFinding } from '../../src/detect/sensitive/scanner.js';
import * as F from './sensitive-fixtures.js';
import { ALNUM, B64, HEX, LOWER_NUM, password, rand, UPPER_NUM, URLSAFE, uuid } from './sensitive-fixtures.js';

interface Sample {
  path: string;
  content: string | Buffer;
}
interface Case {
  key: string;
  pos: Sample;
  neg: Sample;
  /** The secret planted in `pos`; it must not appear in any output field. */
  planted?: string;
}

const rules = new CompiledRuleSet();
const scan = (s: Sample): SensitiveFinding[] => (rules.wants(s.path, Buffer.byteLength(s.content)) ? scanBuffer(rules, s.path, s.content) : []);

const cases: Case[] = [];
const add = (key: string, pos: Sample, neg: Sample, planted?: string) => cases.push({ key, pos, neg, planted });

// Private keys and key containers.
add('ssh_private_key', { path: 'root/.ssh/id_rsa', content: F.RSA_PKCS1 }, { path: 'root/.ssh/id_rsa.pub', content: F.RSA_PUBLIC_SSH });
add('openssh_private_key', { path: 'opt/backup/keys/backup_identity', content: F.opensshKey() }, { path: 'opt/backup/README.txt', content: '-----BEGIN OPENSSH PRIVATE KEY-----\n...\n-----END OPENSSH PRIVATE KEY-----\n' });
add('rsa_private_key', { path: 'srv/api/jwt/signing.txt', content: F.RSA_PKCS1 }, { path: 'srv/api/jwt/signing.txt', content: '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----\n' });
add('dsa_private_key', { path: 'srv/legacy/dsa.txt', content: F.DSA_LEGACY }, { path: 'srv/legacy/dsa.txt', content: '-----BEGIN DSA PARAMETERS-----\nMIIBHgKBgQCN\n-----END DSA PARAMETERS-----\n' });
add('ec_private_key', { path: 'srv/api/es256.txt', content: F.EC_SEC1 }, { path: 'srv/api/es256.txt', content: '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n' });
add('common_private_key', { path: 'srv/api/config/signer.txt', content: F.ED25519_PKCS8 }, { path: 'srv/api/config/signer.txt', content: '-----BEGIN PRIVATE KEY-----\n***\n-----END PRIVATE KEY-----\n' });
add('pem', { path: 'etc/nginx/tls/server.key', content: F.RSA_PKCS8 }, { path: 'etc/nginx/tls/server.pem', content: F.pem('CERTIFICATE', Buffer.concat([Buffer.from([0x30, 0x82, 0x03, 0x10]), F.randBytes(780)])) });
add('pgp_private_key', { path: 'root/keys/release-signing.asc', content: F.pgpArmor('PRIVATE KEY BLOCK', 5) }, { path: 'root/keys/release-public.asc', content: F.pgpArmor('PUBLIC KEY BLOCK', 6) });
add('pgp', { path: 'opt/data/backup.tar.gpg', content: Buffer.concat([F.pgpPacket(1, 268), F.pgpPacket(9, 2000)]) }, { path: 'opt/data/pubring.gpg', content: Buffer.concat([F.pgpPacket(6, 269), F.pgpPacket(13, 40)]) });
add('puttygen_private_key', { path: 'home/ops/keys/server.ppk', content: `PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: rsa-key-20240101\nPublic-Lines: 6\n${F.wrap(rand(B64, 372))}\nPrivate-Lines: 14\n${F.wrap(rand(B64, 800))}\nPrivate-MAC: ${rand(HEX, 40)}\n` }, { path: 'home/ops/keys/HOWTO.txt', content: 'Convert the key with puttygen; the file starts with "PuTTY-User-Key-File-2" followed by the algorithm.\n' });
add('otr_private_key', { path: 'home/u/.purple/otr.private_key', content: `(privkeys\n (account\n(name "alice@jabber.example")\n(protocol prpl-jabber)\n(private-key\n (dsa\n  (p #00${rand('0123456789ABCDEF', 256)}#)\n  (x #${rand('0123456789ABCDEF', 40)}#)\n  )\n )\n )\n)\n` }, { path: 'home/u/.purple/otr.fingerprints', content: `bob@jabber.example\talice@jabber.example\tprpl-jabber\t${rand(HEX, 40)}\tverified\n` });
add('github_ssh_key', { path: 'root/.ssh/github_deploy_key', content: F.RSA_PKCS1 }, { path: 'root/.ssh/github_deploy_key.pub', content: F.RSA_PUBLIC_SSH });
add('k8s_client_key', { path: 'root/.kube/config', content: `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://10.0.0.1:6443\n  name: prod\nusers:\n- name: admin\n  user:\n    client-certificate-data: ${Buffer.from(F.pem('CERTIFICATE', F.randBytes(600))).toString('base64')}\n    client-key-data: ${Buffer.from(F.RSA_PKCS1).toString('base64')}\n` }, { path: 'root/.kube/config', content: `apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    client-certificate-data: ${Buffer.from(F.pem('CERTIFICATE', F.randBytes(600))).toString('base64')}\n    exec:\n      command: aws\n` });
add('pkcs_private_key', { path: 'opt/app/certs/client.p12', content: F.pfx(true) }, { path: 'opt/app/certs/client.p12', content: F.randBytes(2400) });
add('pkcs_cred', { path: 'opt/app/certs/chain.pfx', content: F.pfx(false) }, { path: 'opt/app/certs/chain.pfx', content: F.pfx(false).subarray(0, 600) });
add('java_keystore', { path: 'opt/app/conf/server.jks', content: F.jks([2, 1]) }, { path: 'opt/app/conf/truststore.jks', content: F.jks([2, 2, 2]) });
add('macos_keychain', { path: 'Users/dev/Library/Keychains/login.keychain-db', content: F.keychain() }, { path: 'Users/dev/Library/Keychains/notes.keychain', content: F.keychain(0x00020001) });

// Cloud providers.
const awsId = `AKIA${rand(UPPER_NUM, 16)}`;
const awsSecret = rand(`${ALNUM}/+`, 40);
add('aws_access_key', { path: 'srv/app/settings.js', content: `module.exports = {\n  region: 'eu-west-1',\n  accessKeyId: '${awsId}',\n};\n` }, { path: 'srv/app/settings.js', content: `module.exports = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };\n` }, awsId);
const sessionToken = `IQoJb3JpZ2luX2Vj${rand(B64, 380)}`;
add('aws_session_token', { path: 'srv/app/env.sh', content: `export AWS_ACCESS_KEY_ID=ASIA${rand(UPPER_NUM, 16)}\nexport AWS_SESSION_TOKEN="${sessionToken}"\n` }, { path: 'srv/app/env.sh', content: 'export AWS_SESSION_TOKEN="$(aws sts get-session-token --query Credentials.SessionToken)"\n' }, sessionToken);
add('aws_cli', { path: 'root/.aws/credentials', content: `[default]\naws_access_key_id = ${awsId}\naws_secret_access_key = ${awsSecret}\n` }, { path: 'root/.aws/config', content: '[default]\nregion = eu-central-1\noutput = json\n' }, awsSecret);
add('aws_s3cmd', { path: 'root/.s3cfg', content: `[default]\naccess_key = ${awsId}\nsecret_key = ${awsSecret}\nhost_base = s3.amazonaws.com\nuse_https = True\n` }, { path: 'root/.s3cfg', content: '[default]\naccess_key =\nsecret_key =\nhost_base = s3.amazonaws.com\n' }, awsSecret);
const mws = `amzn.mws.${uuid()}`;
add('amazon_mws_token', { path: 'srv/shop/mws.yml', content: `seller_id: A2${rand(UPPER_NUM, 12)}\nauth_token: ${mws}\n` }, { path: 'srv/shop/mws.yml', content: 'auth_token: amzn.mws.<your-token>\n' }, mws);
const gcpKey = `AIza${rand(URLSAFE, 35)}`;
add('googlecloud_api_key', { path: 'srv/web/static/maps.js', content: `const MAPS_KEY = "${gcpKey}";\nloadMaps(MAPS_KEY);\n` }, { path: 'srv/web/static/maps.js', content: 'const MAPS_KEY = "AIzaSy123";\n' }, gcpKey);
const oauthSecret = `GOCSPX-${rand(URLSAFE, 28)}`;
add('google_oauth_key', { path: 'srv/app/client_secret_81234.json', content: JSON.stringify({ installed: { client_id: `812345678901-${rand(LOWER_NUM, 32)}.apps.googleusercontent.com`, project_id: 'demo', auth_uri: 'https://accounts.google.com/o/oauth2/auth', token_uri: 'https://oauth2.googleapis.com/token', client_secret: oauthSecret, redirect_uris: ['http://localhost'] } }, null, 2) }, { path: 'srv/app/client_secret_81234.json', content: JSON.stringify({ installed: { client_id: 'YOUR_CLIENT_ID', client_secret: '<YOUR_CLIENT_SECRET>' } }) }, oauthSecret);
const ya29 = `ya29.a0${rand(URLSAFE, 160)}`;
add('google_oauth_token', { path: 'srv/app/token.json', content: `{"access_token": "${ya29}", "expires_in": 3599, "token_type": "Bearer"}\n` }, { path: 'srv/app/token.json', content: '{"access_token": "ya29.xxx", "token_type": "Bearer"}\n' }, ya29);
const akid = `AKID${rand(ALNUM, 32)}`;
add('tencentcloud_ak', { path: 'srv/app/cos_upload.py', content: `secret_id = '${akid}'\nsecret_key = os.environ['COS_SECRET_KEY']\n` }, { path: 'srv/app/cos_upload.py', content: "secret_id = 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE'\n" }, akid);
const hwSk = rand(ALNUM, 40);
add('huaweicloud_ak', { path: 'srv/app/run.sh', content: `export HUAWEICLOUD_SDK_AK=${rand(UPPER_NUM, 20)}\nexport HUAWEICLOUD_SDK_SK=${hwSk}\n./app\n` }, { path: 'srv/app/run.sh', content: 'export HUAWEICLOUD_SDK_AK=${AK}\nexport HUAWEICLOUD_SDK_SK=${SK}\n' }, hwSk);
const doToken = `dop_v1_${rand(HEX, 64)}`;
add('digital_ocean_tugboat', { path: 'root/.tugboat', content: `---\nauthentication:\n  access_token: ${doToken}\nssh:\n  ssh_user: root\n` }, { path: 'root/.tugboat', content: '---\nauthentication:\n  access_token: YOUR_TOKEN\n' }, doToken);
const herokuKey = uuid();
add('heroku_api_key', { path: 'srv/app/deploy.sh', content: `HEROKU_API_KEY=${herokuKey} heroku container:release web\n` }, { path: 'srv/app/deploy.sh', content: 'HEROKU_APP_NAME=my-app heroku container:release web\n' }, herokuKey);
const dapi = `dapi${rand(HEX, 32)}`;
add('databricks_token', { path: 'root/.databrickscfg', content: `[DEFAULT]\nhost = https://adb-1234567890123456.7.azuredatabricks.net\ntoken = ${dapi}\n` }, { path: 'srv/notes.txt', content: `mydapi${rand(HEX, 32)}\n` }, dapi);

// Source control, registries, CI/CD, infrastructure.
const ghp = `ghp_${rand(ALNUM, 36)}`;
add('github_personal_token', { path: 'srv/ci/release.sh', content: `#!/bin/sh\nGITHUB_TOKEN=${ghp} gh release create v1.2.3\n` }, { path: 'srv/ci/release.sh', content: 'GITHUB_TOKEN=ghp_short gh release create v1.2.3\n' }, ghp);
const gho = `gho_${rand(ALNUM, 36)}`;
add('github_oauth_token', { path: 'srv/app/oauth.json', content: `{"provider": "github", "token": "${gho}"}\n` }, { path: 'srv/app/canvas.txt', content: 'Sogho_ICANVASRENDERINGVIACONTEXT2D3D5D7D8D\n' }, gho);
const ghs = `ghs_${rand(ALNUM, 36)}`;
add('github_app_token', { path: 'srv/ci/checkout.sh', content: `git clone https://x-access-token:${ghs}@github.com/acme/app.git\n` }, { path: 'srv/ci/checkout.sh', content: 'git clone https://x-access-token:${GITHUB_APP_TOKEN}@github.com/acme/app.git\n' }, ghs);
const ghr = `ghr_${rand(ALNUM, 76)}`;
add('github_refresh_token', { path: 'srv/app/session.json', content: `{"refresh_token": "${ghr}"}\n` }, { path: 'srv/app/canvas.txt', content: 'Bighr_ICANVASRENDERINGVIACONTEXT2D3D5D7D8DICANVASRENDERINGVIACONTEXT2D3D5D7D8D9D22\n' }, ghr);
const hubToken = rand(HEX, 40);
add('github_hub', { path: 'root/.config/hub', content: `github.com:\n- user: octocat\n  oauth_token: ${hubToken}\n  protocol: https\n` }, { path: 'root/.config/hub', content: 'github.com:\n- user: octocat\n  protocol: https\n' }, hubToken);
const glpat = `glpat-${rand(URLSAFE, 20)}`;
add('gitLab_personal_token', { path: 'srv/ci/.gitlab-token', content: `${glpat}\n` }, { path: 'srv/ci/notes.txt', content: 'glpat-abc\n' }, glpat);
const gitPw = password(18);
add('git_cfg', { path: 'srv/app/.git/config', content: `[core]\n\trepositoryformatversion = 0\n[remote "origin"]\n\turl = https://deploy:${gitPw}@git.example.com/team/app.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n` }, { path: 'srv/app/.git/config', content: '[core]\n\tbare = false\n[remote "origin"]\n\turl = https://git.example.com/team/app.git\n' }, gitPw);
add('git_cred', { path: 'root/.git-credentials', content: `https://octocat:${ghp}@github.com\n` }, { path: 'root/.git-credentials', content: 'https://github.com\n' }, ghp);
const npmTok = `npm_${rand(ALNUM, 36)}`;
add('npm_token', { path: 'srv/app/.npmrc', content: `registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${npmTok}\n` }, { path: 'srv/app/.npmrc', content: '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n' }, npmTok);
const pypi = `pypi-AgEIcHlwaS5vcmc${rand(URLSAFE, 120)}`;
add('pypi_token', { path: 'root/.pypirc', content: `[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\npassword = ${pypi}\n` }, { path: 'root/.pypirc', content: '[pypi]\nusername = __token__\npassword = ${PYPI_TOKEN}\n' }, pypi);
const gemKey = `rubygems_${rand(HEX, 48)}`;
add('rubygems_cred', { path: 'root/.gem/credentials', content: `---\n:rubygems_api_key: ${gemKey}\n` }, { path: 'root/.gem/credentials', content: "---\n:rubygems_api_key: ''\n" }, gemKey);
add('rubygem', { path: 'srv/gem/Rakefile', content: `ENV['GEM_HOST_API_KEY'] = '${gemKey}'\n` }, { path: 'srv/gem/Rakefile', content: "ENV['GEM_HOST_API_KEY'] = 'rubygems_123'\n" }, gemKey);
const clojars = `CLOJARS_${rand(LOWER_NUM, 60)}`;
add('clojars_token', { path: 'srv/lib/deploy.sh', content: `lein deploy clojars # token ${clojars}\n` }, { path: 'srv/lib/deploy.sh', content: 'export CLOJARS_USERNAME=acme\n' }, clojars);
const regPw = password(20);
add('docker_registry_cfg', { path: 'root/.docker/config.json', content: JSON.stringify({ auths: { 'registry.example.com': { auth: Buffer.from(`ci-bot:${regPw}`).toString('base64') } } }, null, 2) }, { path: 'root/.docker/config.json', content: JSON.stringify({ auths: { 'registry.example.com': {} }, credsStore: 'desktop' }) }, regPw);
const jenkinsSecret = `{AQAAABAAAAAQ${rand(B64, 44)}=}`;
add('jenkins_cred', { path: 'var/jenkins_home/credentials.xml', content: `<?xml version='1.1' encoding='UTF-8'?>\n<com.cloudbees.plugins.credentials.SystemCredentialsProvider plugin="credentials@1143">\n  <domainCredentialsMap class="hudson.util.CopyOnWriteMap$Hash">\n    <entry>\n      <com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl>\n        <id>deploy</id>\n        <username>deploy</username>\n        <password>${jenkinsSecret}</password>\n      </com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl>\n    </entry>\n  </domainCredentialsMap>\n</com.cloudbees.plugins.credentials.SystemCredentialsProvider>\n` }, { path: 'var/jenkins_home/credentials.xml', content: `<?xml version='1.1' encoding='UTF-8'?>\n<com.cloudbees.plugins.credentials.SystemCredentialsProvider plugin="credentials@1143">\n  <domainCredentialsMap class="hudson.util.CopyOnWriteMap$Hash"/>\n</com.cloudbees.plugins.credentials.SystemCredentialsProvider>\n` }, jenkinsSecret);
add('jenkins_ssh', { path: 'var/jenkins_home/jenkins.plugins.publish_over_ssh.BapSshPublisherPlugin.xml', content: `<?xml version='1.1' encoding='UTF-8'?>\n<jenkins.plugins.publish__over__ssh.BapSshPublisherPlugin_-Descriptor>\n  <hostConfigurations>\n    <jenkins.plugins.publish__over__ssh.BapSshHostConfiguration>\n      <name>web</name>\n      <hostname>10.0.0.8</hostname>\n      <username>deploy</username>\n      <secretPassword>${jenkinsSecret}</secretPassword>\n    </jenkins.plugins.publish__over__ssh.BapSshHostConfiguration>\n  </hostConfigurations>\n</jenkins.plugins.publish__over__ssh.BapSshPublisherPlugin_-Descriptor>\n` }, { path: 'var/jenkins_home/jenkins.plugins.publish_over_ssh.BapSshPublisherPlugin.xml', content: '<?xml version="1.1"?>\n<jenkins.plugins.publish__over__ssh.BapSshPublisherPlugin_-Descriptor>\n  <hostConfigurations/>\n</jenkins.plugins.publish__over__ssh.BapSshPublisherPlugin_-Descriptor>\n' }, jenkinsSecret);
const hvs = `hvs.CAESI${rand(URLSAFE, 91)}`;
add('hashicorp_vault_token', { path: 'root/.vault-token', content: hvs }, { path: 'srv/app/vault.hcl', content: 'token = "hvs.abc"\n' }, hvs);
const tfToken = `${rand(ALNUM, 14)}.atlasv1.${rand(URLSAFE, 67)}`;
add('hashicorp_terraform_token', { path: 'root/.terraform.d/credentials.tfrc.json', content: JSON.stringify({ credentials: { 'app.terraform.io': { token: tfToken } } }, null, 2) }, { path: 'root/.terraform.d/credentials.tfrc.json', content: JSON.stringify({ credentials: { 'app.terraform.io': { token: '<TOKEN>' } } }) }, tfToken);
const pul = `pul-${rand(HEX, 40)}`;
add('pulumi_token', { path: 'root/.pulumi/credentials.json', content: JSON.stringify({ current: 'https://api.pulumi.com', accessTokens: { 'https://api.pulumi.com': pul } }, null, 4) }, { path: 'root/.pulumi/credentials.json', content: JSON.stringify({ current: 'https://api.pulumi.com', accessTokens: {} }) }, pul);
const dashJwt = F.jwt({ iss: 'kubernetes/serviceaccount', 'kubernetes.io/serviceaccount/namespace': 'kubernetes-dashboard', 'kubernetes.io/serviceaccount/service-account.name': 'admin-user', sub: 'system:serviceaccount:kubernetes-dashboard:admin-user' });
add('kubernetes_dashboard_cred', { path: 'opt/k8s/dashboard-admin-token.txt', content: `${dashJwt}\n` }, { path: 'srv/app/id-token.txt', content: `${F.jwt({ iss: 'https://accounts.example.com', sub: 'user-42', aud: 'web' })}\n` }, dashJwt);

// SaaS tokens.
const slack = `xoxb-${rand('0123456789', 12)}-${rand('0123456789', 13)}-${rand(ALNUM, 24)}`;
add('slack_token', { path: 'srv/bot/notify.py', content: `SLACK_BOT_TOKEN = "${slack}"\n` }, { path: 'srv/bot/notify.py', content: 'ID = "abcdexoxb-1234567890"\n' }, slack);
const sk = `sk_live_${rand(ALNUM, 24)}`;
add('stripe_skpk', { path: 'srv/shop/payments.rb', content: `Stripe.api_key = '${sk}'\n` }, { path: 'srv/shop/payments.rb', content: `KEY = 'xsk_live_${rand(ALNUM, 24)}'\n` }, sk);
const sq = `sq0atp-${rand(URLSAFE, 22)}`;
add('square_token', { path: 'srv/shop/square.js', content: `const client = new Client({ accessToken: '${sq}' });\n` }, { path: 'srv/shop/square.js', content: "const client = new Client({ accessToken: 'sq0atp-short' });\n" }, sq);
const sqo = `sq0csp-${rand(URLSAFE, 43)}`;
add('square_oauth', { path: 'srv/shop/square.env.js', content: `module.exports = { applicationSecret: '${sqo}' };\n` }, { path: 'srv/shop/square.env.js', content: `module.exports = { applicationId: 'sq0idp-${rand(URLSAFE, 22)}' };\n` }, sqo);
const glsa = `glsa_${rand(ALNUM, 32)}_${rand(HEX, 8)}`;
add('grafana_token', { path: 'srv/monitoring/push.js', content: `headers: { Authorization: 'Bearer ${glsa}' }\n` }, { path: 'srv/monitoring/push.js', content: "headers: { Authorization: 'Bearer glsa_short' }\n" }, glsa);
const dt = `dt0c01.${rand(UPPER_NUM, 24)}.${rand(UPPER_NUM, 64)}`;
add('dynatrace_token', { path: 'srv/app/oneagent.conf', content: `API_TOKEN=${dt}\n` }, { path: 'srv/app/oneagent.conf', content: 'API_TOKEN=dt0c01.short\n' }, dt);
const nrak = `NRAK-${rand(UPPER_NUM, 27)}`;
add('newrelic_api_key', { path: 'srv/app/newrelic.js', content: `exports.config = { api_key: '${nrak}' };\n` }, { path: 'srv/app/newrelic.js', content: "exports.config = { api_key: 'NRAK-short' };\n" }, nrak);
const fastly = rand(URLSAFE, 32);
add('fastly_cdn_token', { path: 'srv/cdn/purge.py', content: `FASTLY_API_TOKEN = "${fastly}"\n` }, { path: 'srv/cdn/purge.py', content: 'FASTLY_API_TOKEN = os.environ["FASTLY_API_TOKEN"]\n' }, fastly);
const discord = rand(`${LOWER_NUM}_-`, 32);
add('discord_client_cred', { path: 'srv/bot/config.py', content: `DISCORD_CLIENT_SECRET = "${discord}"\n` }, { path: 'srv/bot/config.py', content: 'DISCORD_CLIENT_ID = "123456789012345678"\n' }, discord);
const finicity = rand(HEX, 32);
add('finicity_token', { path: 'srv/fin/client.py', content: `FINICITY_APP_KEY = "${finicity}"\n` }, { path: 'srv/fin/client.py', content: 'FINICITY_APP_KEY = "00000000000000000000000000000000"\n' }, finicity);
const tfp = `tfp_${rand(ALNUM, 44)}`;
add('typeform_token', { path: 'srv/forms/sync.js', content: `const typeformToken = "${tfp}";\n` }, { path: 'srv/forms/sync.js', content: 'function tfp_create_form_from_template_and_publish_it_now() {}\n' }, tfp);
const cfPreview = rand(URLSAFE, 43);
add('contentful_preview_token', { path: 'srv/web/next.config.js', content: `CONTENTFUL_PREVIEW_ACCESS_TOKEN: '${cfPreview}',\n` }, { path: 'srv/web/next.config.js', content: 'CONTENTFUL_PREVIEW_ACCESS_TOKEN: process.env.CONTENTFUL_PREVIEW_ACCESS_TOKEN,\n' }, cfPreview);
const cfDelivery = rand(URLSAFE, 43);
add('contentful_delivery_token', { path: 'srv/web/contentful.js', content: `const contentfulDeliveryToken = '${cfDelivery}';\n` }, { path: 'srv/web/contentful.js', content: "const CONTENTFUL_SPACE_ID = 'abc123';\n" }, cfDelivery);
const asana = rand(LOWER_NUM, 32);
add('asana_client_private_key', { path: 'srv/tasks/asana.py', content: `ASANA_CLIENT_SECRET = "${asana}"\n` }, { path: 'srv/tasks/asana.py', content: 'ASANA_CLIENT_ID = "1234567890123456"\n' }, asana);
const atatt = `ATATT3${rand(URLSAFE, 186)}`;
add('atlassian_token', { path: 'srv/ci/jira.sh', content: `curl -u bot@example.com:${atatt} https://acme.atlassian.net/rest/api/3/myself\n` }, { path: 'srv/ci/jira.sh', content: 'echo ATATT3short\n' }, atatt);
const mgSign = `${rand('abcdef0123456789', 32)}-${rand('abcdef0123456789', 8)}-${rand('abcdef0123456789', 8)}`;
add('mailgun_key', { path: 'srv/mail/webhooks.py', content: `MAILGUN_WEBHOOK_SIGNING_KEY = "${mgSign}"\n` }, { path: 'srv/mail/webhooks.py', content: 'MAILGUN_DOMAIN = "mg.example.com"\n' }, mgSign);
const mgKey = `key-${rand(HEX, 32)}`;
add('mailgun_private_token', { path: 'srv/mail/send.js', content: `const mg = mailgun.client({ username: 'api', key: '${mgKey}' });\n` }, { path: 'srv/mail/style.css', content: '.monkey-wrench, .key-value { display: grid; }\n' }, mgKey);
const mc = `${rand(HEX, 32)}-us14`;
add('mailchimp_api_key', { path: 'srv/mail/list.php', content: `$api = new MailChimp('${mc}');\n` }, { path: 'srv/mail/i18n.js', content: "const locales = ['en-us', 'de-de'];\n" }, mc);
const xkeysib = `xkeysib-${rand(HEX, 64)}-${rand(ALNUM, 16)}`;
add('sendinblue', { path: 'srv/mail/brevo.js', content: `apiKey.apiKey = '${xkeysib}';\n` }, { path: 'srv/mail/brevo.js', content: "apiKey.apiKey = 'xkeysib-short';\n" }, xkeysib);
const mb = rand(ALNUM, 25);
add('messagebird_token', { path: 'srv/sms/send.py', content: `MESSAGEBIRD_ACCESS_KEY = "${mb}"\n` }, { path: 'srv/sms/send.py', content: 'MESSAGEBIRD_ACCESS_KEY = "test_gshuPaZoeEG6ovbc8M79w0QyM"\n'.replace('test_gshuPaZoeEG6ovbc8M79w0QyM', 'xxxxxxxxxxxxxxxxxxxxxxxxx') }, mb);
const lob = `live_${rand(HEX, 35)}`;
add('lob_api_key', { path: 'srv/mail/lob.js', content: `const LOB_API_KEY = '${lob}';\n` }, { path: 'srv/mail/lob.js', content: 'const LOB_API_KEY = process.env.LOB_API_KEY;\n' }, lob);
const pscaleTkn = `pscale_tkn_${rand(URLSAFE, 43)}`;
add('planetscale_token', { path: 'srv/db/migrate.sh', content: `PLANETSCALE_SERVICE_TOKEN=${pscaleTkn} pscale deploy-request create\n` }, { path: 'srv/db/migrate.sh', content: 'PLANETSCALE_SERVICE_TOKEN=pscale_tkn_short pscale deploy-request create\n' }, pscaleTkn);
const pscalePw = `pscale_pw_${rand(URLSAFE, 43)}`;
add('planetscale_passwd', { path: 'srv/db/connection.js', content: `const conn = { host: 'aws.connect.psdb.cloud', username: '${rand(LOWER_NUM, 12)}', password: '${pscalePw}' };\n` }, { path: 'srv/db/connection.js', content: "password: 'pscale_pw_short'\n" }, pscalePw);
const sfRefresh = rand(`${ALNUM}._`, 87);
add('salesforce', { path: 'srv/crm/sfdx-auth-url.txt', content: `force://PlatformCLI::${sfRefresh}@acme.my.salesforce.com\n` }, { path: 'srv/crm/notes.txt', content: 'Org id 00D5g000004XXXX, see setup.\n' }, sfRefresh);

// Application configuration.
const djangoKey = rand(`${ALNUM}!@#%^&*(-_=+)`, 50);
add('django_key', { path: 'srv/mysite/mysite/settings.py', content: `DEBUG = False\nSECRET_KEY = '${djangoKey}'\nALLOWED_HOSTS = ['*']\n` }, { path: 'srv/mysite/mysite/settings.py', content: "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']\n" }, djangoKey);
const dbPw = password(16);
add('rails_database', { path: 'srv/app/config/database.yml', content: `default: &default\n  adapter: postgresql\n  pool: 5\n\nproduction:\n  <<: *default\n  database: app_production\n  username: app\n  password: ${dbPw}\n` }, { path: 'srv/app/config/database.yml', content: "production:\n  adapter: postgresql\n  password: <%= ENV['DATABASE_PASSWORD'] %>\n" }, dbPw);
add('rubyonrails_cfg', { path: 'srv/app/config/mongoid.yml', content: `production:\n  clients:\n    default:\n      database: app\n      hosts:\n        - mongo:27017\n      options:\n        user: app\n        password: ${dbPw}\n` }, { path: 'srv/app/config/mongoid.yml', content: "production:\n  clients:\n    default:\n      options:\n        password: <%= ENV['MONGO_PASSWORD'] %>\n" }, dbPw);
const skb = rand(HEX, 128);
add('rubyonrails_passwd', { path: 'srv/app/config/secrets.yml', content: `production:\n  secret_key_base: ${skb}\n` }, { path: 'srv/app/config/secrets.yml', content: 'production:\n  secret_key_base: <%= ENV["SECRET_KEY_BASE"] %>\n' }, skb);
const masterKey = rand(HEX, 32);
add('rails_master_key', { path: 'srv/app/config/master.key', content: masterKey }, { path: 'srv/app/config/master.key', content: 'changeme\n' }, masterKey);
const secretToken = rand(HEX, 64);
add('rails_app_token', { path: 'srv/app/config/initializers/secret_token.rb', content: `Myapp::Application.config.secret_token = '${secretToken}'\n` }, { path: 'srv/app/config/initializers/secret_token.rb', content: "Myapp::Application.config.secret_token = ENV['SECRET_TOKEN']\n" }, secretToken);
const fogSecret = rand(`${ALNUM}/+`, 40);
add('rails_carrierwave', { path: 'srv/app/config/initializers/carrierwave.rb', content: `CarrierWave.configure do |config|\n  config.fog_credentials = {\n    provider: 'AWS',\n    aws_access_key_id: 'AKIA${rand(UPPER_NUM, 16)}',\n    aws_secret_access_key: '${fogSecret}'\n  }\nend\n` }, { path: 'srv/app/config/initializers/carrierwave.rb', content: "CarrierWave.configure do |config|\n  config.fog_credentials = { provider: 'AWS', aws_secret_access_key: ENV['AWS_SECRET'] }\nend\n" }, fogSecret);
add('phoenix_web_passwd', { path: 'srv/app/config/prod.secret.exs', content: `import Config\nconfig :app, App.Repo,\n  username: "app",\n  password: "${dbPw}",\n  pool_size: 10\n` }, { path: 'srv/app/config/prod.secret.exs', content: 'import Config\nconfig :app, App.Repo,\n  password: System.get_env("DB_PASSWORD")\n' }, dbPw);
add('php_config', { path: 'var/www/app/config.php', content: "<?php\n$config['db_password'] = getenv('DB_PASSWORD');\n$config['debug'] = false;\n" }, { path: 'var/www/app/config.php', content: "<?php\n$config['debug'] = false;\n$config['timezone'] = 'UTC';\n" });
add('php_database_cfg', { path: 'var/www/app/db.php', content: `<?php\n$conn = mysqli_connect("db.internal", "app", "${dbPw}", "shop");\n` }, { path: 'var/www/app/db.php', content: '<?php\n$conn = mysqli_connect(getenv("DB_HOST"), getenv("DB_USER"), getenv("DB_PASS"), "shop");\n' }, dbPw);
add('wordpress_database_cfg', { path: 'var/www/html/wp-config.php', content: `<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', 'wp' );\ndefine( 'DB_PASSWORD', '${dbPw}' );\ndefine( 'DB_HOST', 'mysql' );\n` }, { path: 'var/www/html/wp-config-sample.php', content: "<?php\ndefine( 'DB_PASSWORD', 'password_here' );\n" }, dbPw);
add('joomla_cfg', { path: 'var/www/html/configuration.php', content: `<?php\nclass JConfig {\n\tpublic $dbtype = 'mysqli';\n\tpublic $user = 'joomla';\n\tpublic $password = '${dbPw}';\n\tpublic $secret = '${rand(ALNUM, 16)}';\n}\n` }, { path: 'var/www/html/configuration.php', content: "<?php\nreturn ['name' => 'other app'];\n" }, dbPw);
add('mediawiki_cfg', { path: 'var/www/wiki/LocalSettings.php', content: `<?php\n$wgDBtype = "mysql";\n$wgDBuser = "wiki";\n$wgDBpassword = "${dbPw}";\n$wgSecretKey = "${rand(HEX, 64)}";\n` }, { path: 'var/www/wiki/LocalSettings.php', content: '<?php\n$wgDBpassword = getenv("WG_DB_PASSWORD");\n' }, dbPw);
add('common_database_cfg', { path: 'srv/api/src/db.ts', content: `export const url = 'postgres://api:${dbPw}@db.internal:5432/api';\n` }, { path: 'srv/api/src/db.ts', content: 'export const url = `postgres://api:${process.env.DB_PASSWORD}@db.internal:5432/api`;\n' }, dbPw);
add('postgresql_passwd', { path: 'root/.pgpass', content: `db.internal:5432:app:app:${dbPw}\n` }, { path: 'root/.pgpass', content: 'localhost:5432:mydb:myuser:*\n' }, dbPw);
const apiSecret = rand(ALNUM, 28);
add('common_cred', { path: 'srv/app/.env', content: `NODE_ENV=production\nAPI_SECRET=${apiSecret}\n` }, { path: 'srv/app/.env', content: 'NODE_ENV=production\nAPI_SECRET=${API_SECRET}\n' }, apiSecret);
const publishPw = password(14);
add('msbuild_publish_profile', { path: 'src/Web/Properties/PublishProfiles/Production.pubxml', content: `<?xml version="1.0" encoding="utf-8"?>\n<Project>\n  <PropertyGroup>\n    <MSDeployServiceURL>web.scm.azurewebsites.net:443</MSDeployServiceURL>\n    <UserName>$web</UserName>\n    <Password>${publishPw}</Password>\n  </PropertyGroup>\n</Project>\n` }, { path: 'src/Web/Properties/PublishProfiles/Production.pubxml', content: '<?xml version="1.0"?>\n<Project>\n  <PropertyGroup>\n    <WebPublishMethod>FileSystem</WebPublishMethod>\n  </PropertyGroup>\n</Project>\n' }, publishPw);

// Client tools.
const ftpPw = password(12);
add('ftp_cfg', { path: 'home/dev/site/.ftpconfig', content: JSON.stringify({ protocol: 'ftp', host: 'ftp.example.com', port: 21, user: 'deploy', pass: ftpPw, remote: '/public_html' }, null, 2) }, { path: 'home/dev/site/.ftpconfig', content: JSON.stringify({ protocol: 'ftp', host: 'ftp.example.com', user: 'deploy', pass: '' }) }, ftpPw);
add('sftp_cfg', { path: 'home/dev/site/sftp-config.json', content: `{\n  "type": "sftp",\n  "host": "example.com",\n  "user": "deploy",\n  "password": "${ftpPw}",\n  "remote_path": "/var/www"\n}\n` }, { path: 'home/dev/site/sftp-config.json', content: '{\n  "type": "sftp",\n  "host": "example.com",\n  "user": "deploy"\n}\n' }, ftpPw);
add('vscode_sftp', { path: 'home/dev/site/.vscode/sftp.json', content: JSON.stringify({ name: 'prod', host: 'example.com', protocol: 'sftp', username: 'deploy', password: ftpPw, remotePath: '/var/www' }, null, 2) }, { path: 'home/dev/site/.vscode/sftp.json', content: JSON.stringify({ name: 'prod', host: 'example.com', username: 'deploy', remotePath: '/var/www' }) }, ftpPw);
add('atom_remote_sync', { path: 'home/dev/site/.remote-sync.json', content: JSON.stringify({ transport: 'scp', hostname: 'example.com', username: 'deploy', password: ftpPw, target: '/var/www' }, null, 2) }, { path: 'home/dev/site/.remote-sync.json', content: JSON.stringify({ transport: 'scp', hostname: 'example.com', username: 'deploy', target: '/var/www' }) }, ftpPw);
add('atom_sftp_cfg', { path: 'home/dev/site/.ftpconfig', content: JSON.stringify({ protocol: 'sftp', host: 'example.com', port: 22, user: 'deploy', pass: ftpPw }, null, 2) }, { path: 'home/dev/site/deployment-config.json', content: JSON.stringify({ type: 'sftp', host: 'example.com', user: 'deploy' }) }, ftpPw);
const fz = Buffer.from(ftpPw).toString('base64');
add('filezilla_ftp', { path: 'home/dev/.config/filezilla/sitemanager.xml', content: `<?xml version="1.0" encoding="UTF-8"?>\n<FileZilla3 version="3.66.1" platform="unix">\n  <Servers>\n    <Server>\n      <Host>ftp.example.com</Host>\n      <Port>21</Port>\n      <User>deploy</User>\n      <Pass encoding="base64">${fz}</Pass>\n    </Server>\n  </Servers>\n</FileZilla3>\n` }, { path: 'home/dev/.config/filezilla/sitemanager.xml', content: '<?xml version="1.0"?>\n<FileZilla3 version="3.66.1">\n  <Servers>\n    <Server><Host>ftp.example.com</Host><Logontype>0</Logontype></Server>\n  </Servers>\n</FileZilla3>\n' }, fz);
const cryptHash = `$6$${rand(ALNUM, 8)}$${rand(`${ALNUM}./`, 86)}`;
add('cpanel_proftpd', { path: 'backup/cpmove-shop/proftpdpasswd', content: `shop:${cryptHash}:1001:1001::/home/shop:/bin/ftpsh\n` }, { path: 'backup/cpmove-shop/proftpdpasswd', content: '# no FTP accounts\n' }, cryptHash);
add('jetbrains_ides', { path: 'home/dev/project/.idea/WebServers.xml', content: `<?xml version="1.0"?>\n<project version="4">\n  <component name="WebServers">\n    <option name="servers">\n      <webServer id="1" name="prod" url="http://example.com">\n        <fileTransfer host="example.com" port="21" rootFolder="/var/www" accessType="FTP" login="deploy" password="${rand(HEX, 24)}" />\n      </webServer>\n    </option>\n  </component>\n</project>\n` }, { path: 'home/dev/project/.idea/workspace.xml', content: '<?xml version="1.0"?>\n<project version="4">\n  <component name="ChangeListManager" />\n</project>\n' });
add('dbeaver_database_cfg', { path: 'root/.local/share/DBeaverData/workspace6/General/.dbeaver/data-sources.json', content: JSON.stringify({ folders: {}, connections: { 'postgres-jdbc-1': { provider: 'postgresql', driver: 'postgres-jdbc', name: 'prod', configuration: { host: 'db.internal', port: '5432', database: 'app', url: 'jdbc:postgresql://db.internal:5432/app', user: 'app' } } } }, null, 2) }, { path: 'root/.local/share/DBeaverData/workspace6/General/.dbeaver/data-sources.json', content: JSON.stringify({ folders: {} }) });
add('robomongo_cred', { path: 'root/.3T/robo-3t/1.4.4/robo3t.json', content: JSON.stringify({ connections: [{ connectionName: 'prod', serverHost: 'mongo.internal', serverPort: 27017, credentials: [{ databaseName: 'admin', userName: 'root', userPassword: dbPw, enabled: true }] }] }, null, 2) }, { path: 'root/.3T/robo-3t/1.4.4/robo3t.json', content: JSON.stringify({ connections: [{ connectionName: 'local', serverHost: 'localhost', serverPort: 27017, credentials: [] }] }) }, dbPw);
add('netrc_cfg', { path: 'root/.netrc', content: `machine api.heroku.com\n  login ops@example.com\n  password ${herokuKey}\n` }, { path: 'root/.netrc', content: 'machine ftp.example.com login anonymous\n' }, herokuKey);
const smtpPw = password(14);
add('esmtp_cfg', { path: 'root/.esmtprc', content: `identity ops@example.com\n  hostname smtp.example.com:587\n  username "ops@example.com"\n  password "${smtpPw}"\n  starttls required\n` }, { path: 'root/.esmtprc', content: 'hostname smtp.example.com:25\nmda "/usr/bin/procmail -d %T"\n' }, smtpPw);
add('openvpn_cfg', { path: 'etc/openvpn/client/office.ovpn', content: `client\ndev tun\nproto udp\nremote vpn.example.com 1194\n<ca>\n${F.pem('CERTIFICATE', F.randBytes(600))}</ca>\n<key>\n${F.RSA_PKCS8}</key>\n` }, { path: 'etc/openvpn/client/office.ovpn', content: `client\ndev tun\nremote vpn.example.com 1194\n<ca>\n${F.pem('CERTIFICATE', F.randBytes(600))}</ca>\n` });
const dpapi = rand('0123456789ABCDEF', 1200);
add('rdp', { path: 'Users/ops/Desktop/jump.rdp', content: F.utf16(`screen mode id:i:2\r\nfull address:s:10.0.0.5\r\nusername:s:ops\r\npassword 51:b:${dpapi}\r\n`) }, { path: 'Users/ops/Desktop/jump.rdp', content: F.utf16('screen mode id:i:2\r\ndesktopwidth:i:1920\r\n') }, dpapi);
const sshPw = password(12);
add('sshpasswd', { path: 'srv/scripts/deploy.sh', content: `#!/bin/bash\nsshpass -p '${sshPw}' scp build.tgz deploy@10.0.0.9:/srv/\n` }, { path: 'srv/scripts/deploy.sh', content: '#!/bin/bash\nsshpass -p "$SSH_PASS" scp build.tgz deploy@10.0.0.9:/srv/\n' }, sshPw);
const apr1 = `$apr1$${rand(ALNUM, 8)}$${rand(`${ALNUM}./`, 22)}`;
add('apache_htpasswd', { path: 'etc/nginx/.htpasswd', content: `admin:${apr1}\n` }, { path: 'etc/nginx/.htpasswd', content: '# managed by ansible\n' }, apr1);
const ventPw = password(10);
add('ventrilo_voip', { path: 'opt/ventrilo/ventrilo_srv.ini', content: `[Server]\nName=Guild\nPhonetic=Guild\nAuth=0\nPassword=${ventPw}\nAdminPassword=${password(12)}\n` }, { path: 'opt/ventrilo/ventrilo_srv.ini', content: '[Server]\nName=Guild\nAuth=0\n' }, ventPw);
add('firefox_logins', { path: 'root/.mozilla/firefox/x1y2z3.default-release/logins.json', content: JSON.stringify({ nextId: 2, logins: [{ id: 1, hostname: 'https://intranet.example.com', encryptedUsername: `MDoEEPgAAAA${rand(B64, 40)}`, encryptedPassword: `MEIEEPgAAAA${rand(B64, 60)}`, encType: 1 }] }) }, { path: 'root/.mozilla/firefox/x1y2z3.default-release/logins.json', content: JSON.stringify({ nextId: 1, logins: [] }) });

// Databases.
add('sqlite', { path: 'srv/app/db/production.sqlite3', content: F.SQLITE_HEADER() }, { path: 'var/lib/rpm/rpmdb.sqlite', content: F.SQLITE_HEADER() });
add('microsoft_mdf', { path: 'var/opt/mssql/data/shop.mdf', content: F.mdfHeader() }, { path: 'media/images/disc.mdf', content: Buffer.concat([Buffer.from([0x01, 0x0f, 0x00, 0x00]), F.randBytes(8000)]) });
add('microsoft_sdf', { path: 'srv/app/App_Data/local.sdf', content: F.sdfFile() }, { path: 'srv/chem/molecules.sdf', content: `benzene\n  -OEChem-\n\n  6  6  0     0  0  0  0  0  0999 V2000\nM  END\n$$$$\n` });

describe('every catalog key has a positive and a negative case', () => {
  it('covers all 112 keys', () => {
    const covered = new Set(cases.map((c) => c.key));
    expect(SENSITIVE_KEYS.filter((k) => !covered.has(k))).toEqual([]);
    expect(SENSITIVE_KEYS).toHaveLength(112);
  });

  it.each(cases.map((c) => [c.key, c] as const))('%s', (key, c) => {
    const pos = scan(c.pos);
    expect(pos.map((f) => f.key), `positive ${c.pos.path}`).toContain(key);
    const finding = pos.find((f) => f.key === key) as SensitiveFinding;
    expect(finding.md5).toMatch(/^[0-9a-f]{32}$/);
    expect(finding.masked).toMatch(/\*\*\*\*$/);
    if (c.planted) {
      const out = JSON.stringify(pos);
      expect(out.includes(c.planted), `planted secret leaked: ${out}`).toBe(false);
    }
    const neg = scan(c.neg);
    expect(neg.map((f) => f.key), `negative ${c.neg.path}`).not.toContain(key);
  });
});
