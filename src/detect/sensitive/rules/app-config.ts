/**
 * Application and framework configuration: Django, Rails, Phoenix, PHP apps (WordPress, Joomla,
 * MediaWiki, generic), database connection settings, PostgreSQL password files, MSBuild publish
 * profiles, and the generic credential catch-all.
 */
import { contentLines, parseIni } from '../formats.js';
import { isPlaceholder, isPlaceholderish, shannonEntropy } from '../validators.js';
import { ci, ciAny, LIBRARY_CODE } from './helpers.js';
import { linesCheck } from './struct-helpers.js';
import type { ContentRule, PathRule, StructHit, StructRule, Verdict } from './types.js';

/** Template copies of config files ship with apps and generators; they hold placeholders. */
export const TEMPLATE_FILES = ['**/*.example', '**/*.sample', '**/*.tt', '**/*.dist', '**/*.tpl', '**/*.template', '**/*-sample.*', '**/*-dist', '**/*-tpl', '**/*.orig'];

/** A literal value, not an environment lookup or template expression. */
function literal(v: string): boolean {
  return v.length > 0 && !isPlaceholderish(v) && !/ENV\[|ENV\.fetch|System\.get_env|getenv|os\.environ|env\(|<%|\{\{/.test(v);
}

const django: ContentRule[] = [
  {
    id: 'django-secret-key',
    key: 'django_key',
    keywords: ['secret_key'],
    paths: ['**/settings.py', '**/settings/*.py', '**/*settings*.py'],
    excludePaths: ['**/django/conf/**', ...TEMPLATE_FILES],
    pattern: /(?<![\w.])SECRET_KEY[ \t]{0,4}=[ \t]{0,4}[rbu]?(?<q>["'])(?<secret>[^"'\n]{20,100})\k<q>/,
    before: 1,
    after: 130,
    generic: true,
    entropy: 3.0,
  },
  {
    id: 'django-insecure-key',
    key: 'django_key',
    keywords: ['django-insecure-'],
    pattern: /(?<secret>django-insecure-[A-Za-z0-9!@#$%^&*(\-_=+)]{30,80})/,
    before: 0,
    after: 100,
    publicPrefix: 16,
    excludePaths: ['**/django/conf/**', ...TEMPLATE_FILES],
    validate: () => ({ detail: 'startproject-generated key (django-insecure-)' }),
  },
];

/** YAML `password:` / `secret_key_base:` literals and URLs with credentials (Rails datastores). */
function yamlSecrets(keys: string, minLength = 1): StructRule['check'] {
  const re = new RegExp(`^[ \\t]*(?:${keys})[ \\t]*:[ \\t]*(["']?)([^\\n#]*?)\\1[ \\t]*(?:#.*)?$`, 'gm');
  return (text) => {
    const hits: StructHit[] = [];
    re.lastIndex = 0;
    for (let m = re.exec(text); m && hits.length < 50; m = re.exec(text)) {
      const v = (m[2] ?? '').trim();
      if (v.length >= minLength && literal(v)) hits.push({ secret: v, index: m.index + m[0].indexOf(v), detail: m[0].trim().split(':')[0] });
    }
    const url = /(?:postgres(?:ql)?|mysql2?|mongodb(?:\+srv)?|rediss?|amqps?):\/\/([^\s:/@'"]{0,64}):([^\s@/'"]{1,128})@/g;
    for (let m = url.exec(text); m && hits.length < 50; m = url.exec(text)) {
      const v = m[2] ?? '';
      if (literal(v) && v !== m[1]) hits.push({ secret: v, index: m.index + m[0].lastIndexOf(v), detail: 'URL with credentials' });
    }
    return hits;
  };
}

const rails: StructRule[] = [
  {
    id: 'rails-database-yml',
    key: 'rails_database',
    fileType: true,
    paths: ['**/config/database.yml'],
    check: yamlSecrets('password'),
  },
  {
    id: 'rails-datastore-yml',
    key: 'rubyonrails_cfg',
    fileType: true,
    paths: ['**/config/mongoid.yml', '**/config/database.yml.*', '**/config/cable.yml', '**/config/redis.yml', '**/config/sidekiq.yml'],
    excludePaths: TEMPLATE_FILES,
    check: yamlSecrets('password'),
  },
  {
    id: 'rails-secrets-yml',
    key: 'rubyonrails_passwd',
    fileType: true,
    paths: ['**/config/secrets.yml', '**/web/ruby/secrets.yml', '**/config/credentials.yml'],
    check: yamlSecrets('secret_key_base|secret_token|password|[a-z_]*api_key|[a-z_]*secret', 8),
  },
  {
    id: 'rails-master-key',
    key: 'rails_master_key',
    fileType: true,
    paths: ['**/config/master.key', '**/config/credentials/*.key'],
    maxBytes: 4096,
    check(text) {
      const t = text.trim();
      return /^[0-9a-f]{32}$/.test(t) ? [{ secret: t, index: text.indexOf(t), detail: 'decrypts config/credentials.yml.enc' }] : [];
    },
  },
  {
    id: 'rails-secret-token-rb',
    key: 'rails_app_token',
    fileType: true,
    paths: ['**/config/initializers/secret_token.rb', '**/secret_token.rb'],
    check: linesCheck(/(?:secret_token|secret_key_base)\s*=\s*['"]([0-9A-Za-z]{30,256})['"]/, 'secret_token / secret_key_base', 30),
  },
  {
    id: 'rails-carrierwave',
    key: 'rails_carrierwave',
    fileType: true,
    paths: ['**/config/initializers/carrierwave.rb', '**/carrierwave.rb'],
    check: linesCheck(/:?(?:aws_secret_access_key|google_storage_secret_access_key|aws_access_key_id|google_storage_access_key_id|rackspace_api_key|azure_storage_access_key)["']?\s*(?:=>|:)\s*['"]([^'"\n]{8,200})['"]/, 'fog credentials', 8),
  },
  {
    id: 'phoenix-secret-exs',
    key: 'phoenix_web_passwd',
    fileType: true,
    paths: ['**/config/prod.secret.exs', '**/config/*.secret.exs', '**/config/runtime.exs'],
    // A literal string: `#{…}` interpolation would read the value from elsewhere.
    check: linesCheck(/(?:password|secret_key_base|signing_salt|secret)\s*:\s*"((?:[^"\n#\\]|#(?!\{)){4,300})"/, 'literal password / secret_key_base', 4),
  },
];

/** WordPress: `define('DB_PASSWORD', '…')` and the auth keys/salts. Sample values are weak defaults. */
const wordpress: StructRule = {
  id: 'wordpress-wp-config',
  key: 'wordpress_database_cfg',
  fileType: true,
  paths: ['**/wp-config.php'],
  check(text) {
    const hits: StructHit[] = [];
    const re = /define\(\s*['"](DB_PASSWORD|AUTH_KEY|SECURE_AUTH_KEY|LOGGED_IN_KEY|NONCE_KEY|AUTH_SALT|SECURE_AUTH_SALT|LOGGED_IN_SALT|NONCE_SALT)['"]\s*,\s*(['"])(.{0,200}?)\2\s*\)/g;
    for (let m = re.exec(text); m && hits.length < 20; m = re.exec(text)) {
      const name = m[1] ?? '';
      const v = m[3] ?? '';
      if (v === '') continue;
      const index = m.index + m[0].indexOf(v);
      if (v === 'password_here' || v === 'put your unique phrase here') hits.push({ masked: `${name}=<sample value>`, index, severity: 'low', rank: 60, detail: `${name} left at the sample value: the site runs with a public default` });
      else if (literal(v) || name !== 'DB_PASSWORD') hits.push({ secret: v, index, detail: name, rank: name === 'DB_PASSWORD' ? 1 : 2 });
    }
    return hits;
  },
};

const joomla: StructRule = {
  id: 'joomla-configuration',
  key: 'joomla_cfg',
  fileType: true,
  paths: ['**/configuration.php'],
  check(text) {
    if (!/class\s+JConfig\b/.test(text)) return [];
    const hits: StructHit[] = [];
    const re = /public\s+\$(password|secret|ftp_pass|smtppass)\s*=\s*(['"])(.{1,200}?)\2\s*;/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const v = m[3] ?? '';
      if (literal(v)) hits.push({ secret: v, index: m.index + m[0].indexOf(v), detail: `$${m[1]}` });
    }
    return hits;
  },
};

const mediawiki: StructRule = {
  id: 'mediawiki-localsettings',
  key: 'mediawiki_cfg',
  fileType: true,
  paths: ['**/LocalSettings.php'],
  check: (text) => {
    const hits: StructHit[] = [];
    const re = /\$(wgDBpassword|wgSecretKey|wgUpgradeKey|wgDBadminpassword|wgSMTP\['password'\])\s*=\s*(['"])(.{1,200}?)\2\s*;/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const v = m[3] ?? '';
      if (literal(v)) hits.push({ secret: v, index: m.index + m[0].indexOf(v), detail: `$${m[1]}` });
    }
    return hits;
  },
};

const PHP_FILES = ['**/*.php', '**/*.inc', '**/*.phtml', '**/*.php5', '**/*.php7'];

const phpDatabase: ContentRule[] = [
  {
    id: 'php-mysql-connect',
    key: 'php_database_cfg',
    keywords: ['mysqli_connect', 'mysql_connect', 'mysql_pconnect', 'new mysqli', 'new pdo', 'pg_connect'],
    paths: PHP_FILES,
    excludePaths: TEMPLATE_FILES,
    pattern: new RegExp(
      `(?:mysqli?_p?connect|new\\s{1,4}(?:mysqli|${ci('PDO')}))\\(\\s{0,4}(["'])[^"'\\n]{0,300}\\1\\s{0,4},\\s{0,4}(["'])[^"'\\n]{0,100}\\2\\s{0,4},\\s{0,4}(["'])(?<secret>[^"'\\n]{3,100})\\3|pg_connect\\(\\s{0,4}["'][^"'\\n]{0,300}?password=(?<pg>[^\\s"']{3,100})`,
    ),
    secretGroup: 0,
    before: 0,
    after: 560,
    rejectPlaceholders: false,
    validate: (_s, m) => phpLiteral(m.groups?.secret ?? m.groups?.pg ?? ''),
  },
  {
    id: 'php-db-password-variable',
    key: 'php_database_cfg',
    keywords: ['$db', '$mysql', '$database_pass', '$pass', '$cfg['],
    paths: PHP_FILES,
    excludePaths: TEMPLATE_FILES,
    pattern: /\$(?:db_?pass(?:word|wd)?|dbpassword|db_pwd|dbpwd|mysql_?pass(?:word)?|database_pass(?:word)?|pass(?:word)?|cfg\['Servers'\]\[\$i\]\['password'\])[ \t]{0,4}=[ \t]{0,4}(?<q>["'])(?<secret>[^"'\n]{3,100})\k<q>/i,
    before: 0,
    after: 240,
    generic: true,
    requires: ['db', 'mysql', 'database', 'servers', 'host'],
    validate: (s) => phpLiteral(s),
  },
  {
    id: 'php-config-array-password',
    key: 'php_database_cfg',
    keywords: ["'password'", '"password"'],
    paths: ['**/config/*.php', '**/config/**/database.php', '**/application/config/*.php', '**/app/config/*.php', '**/app/etc/env.php', '**/config.inc.php'],
    excludePaths: TEMPLATE_FILES,
    pattern: /(["'])password\1[ \t]{0,4}=>[ \t]{0,4}(?<q>["'])(?<secret>[^"'\n]{3,100})\k<q>/,
    before: 1,
    after: 140,
    generic: true,
    validate: (s) => phpLiteral(s),
  },
];

function phpLiteral(v: string): Verdict {
  return v.length >= 3 && literal(v) && !v.startsWith('$');
}

const phpConfig: PathRule = {
  id: 'php-config-file',
  key: 'php_config',
  catchAll: true,
  paths: ['**/config.php', '**/config.inc.php', '**/*config*.php', '**/settings.php', '**/.user.ini'],
  excludePaths: ['**/vendor/**', '**/wp-includes/**', '**/wp-admin/**', ...TEMPLATE_FILES],
  label: 'PHP configuration',
  requireAny: ['password', 'passwd', 'secret', '_pwd', 'api_key', 'apikey'],
};

const DB_SCHEMES = ['postgres', 'postgresql', 'mysql', 'mysql2', 'mariadb', 'mongodb', 'mongodb+srv', 'redis', 'rediss', 'amqp', 'amqps', 'mssql', 'sqlserver', 'oracle', 'clickhouse', 'cockroachdb', 'neo4j', 'neo4j+s', 'couchdb'];

/** Passwords in URLs: not a placeholder, not the user name again, not trivially short, not regex syntax. */
function urlPassword(user: string, pass: string): boolean {
  if (pass.length < 4 || pass === user || isPlaceholderish(pass) || isPlaceholderish(`${user}:${pass}`)) return false;
  if (/^(?:pass|password|passwd|secret|admin|root|user)\d{0,3}$/i.test(pass)) return false;
  if (!/[A-Za-z0-9].*[A-Za-z0-9]/.test(pass) || /\(\.\*|\.\*\)|\(\?|\\[dwsS]/.test(pass)) return false;
  return true;
}

const database: ContentRule[] = [
  {
    id: 'database-url-credentials',
    key: 'common_database_cfg',
    catchAll: true,
    excludePaths: LIBRARY_CODE,
    keywords: DB_SCHEMES.map((s) => `${s}://`),
    pattern: new RegExp(
      `(?:jdbc:)?(?:postgres(?:ql)?|mysql2?|mariadb|mongodb(?:\\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|clickhouse|cockroachdb|neo4j(?:\\+s)?|couchdb)://(?<user>[^\\s:/@'"<>\`$]{0,64}):(?<secret>[^\\s/'"<>\`]{1,128}?)@(?<host>[\\w.\\[\\]-]{1,253})(?=[:/?,;)\\]\\s'"\`]|$)`,
    ),
    before: 6,
    after: 460,
    rejectPlaceholders: false,
    inConfig: true,
    validate: (s, m) => (urlPassword(m.groups?.user ?? '', s) ? { detail: `connection URL for ${m.groups?.host ?? ''}` } : false),
  },
  {
    id: 'jdbc-password-parameter',
    key: 'common_database_cfg',
    catchAll: true,
    excludePaths: LIBRARY_CODE,
    keywords: ['jdbc:'],
    pattern: /jdbc:[a-z0-9]{2,20}:[^\s'"<>]{0,300}?[;?&(,]password=(?<secret>[^;&\s'"<>),]{1,128})/,
    before: 0,
    after: 460,
    generic: true,
    inConfig: true,
    validate: (s) => (urlPassword('', s) ? { detail: 'JDBC URL password' } : false),
  },
  {
    id: 'ado-connection-string',
    key: 'common_database_cfg',
    catchAll: true,
    excludePaths: LIBRARY_CODE,
    keywords: ['password=', 'pwd='],
    pattern: new RegExp(
      `${ciAny(['server', 'data source', 'host', 'database', 'initial catalog', 'uid', 'user id', 'username'])}[ \\t]{0,2}=[^;\\n]{0,200};[^\\n]{0,400}?${ciAny(['password', 'pwd'])}[ \\t]{0,2}=[ \\t]{0,2}(?<secret>[^;'"\\s<]{1,128})`,
    ),
    before: 640,
    after: 140,
    generic: true,
    inConfig: true,
    validate: (s) => (urlPassword('', s) ? { detail: 'connection string password' } : false),
  },
  {
    id: 'db-cli-password',
    key: 'common_database_cfg',
    catchAll: true,
    excludePaths: LIBRARY_CODE,
    keywords: ['--password='],
    requires: ['mysql', 'mariadb', 'mongo', 'psql', 'pg_dump', 'redis-cli', 'sqlcmd'],
    pattern: /--password=(?<q>["']?)(?<secret>[^\s'"]{4,128})\k<q>/,
    before: 200,
    after: 140,
    generic: true,
    inConfig: true,
    validate: (s) => (urlPassword('', s) ? { detail: 'database client --password' } : false),
  },
  {
    id: 'pgpassword-env',
    key: 'postgresql_passwd',
    keywords: ['pgpassword'],
    pattern: /(?<![A-Za-z0-9_])PGPASSWORD["']?[ \t]{0,4}[=:][ \t]{0,4}(?<q>["']?)(?<secret>[^\s'"]{4,128})\k<q>/,
    before: 1,
    after: 140,
    generic: true,
    inConfig: true,
    validate: () => ({ detail: 'PGPASSWORD' }),
  },
];

/** Server and client config files of databases: password directives in their own syntax. */
const dbConfigFiles: StructRule = {
  id: 'database-config-files',
  key: 'common_database_cfg',
  fileType: true,
  paths: [
    '**/my.cnf',
    '**/.my.cnf',
    '**/mysql/**/*.cnf',
    '**/odbc.ini',
    '**/.odbc.ini',
    '**/redis.conf',
    '**/redis/*.conf',
    '**/mongod*.conf',
    '**/pgbouncer/userlist.txt',
    '**/hibernate.cfg.xml',
    '**/META-INF/context.xml',
    '**/application*.properties',
    '**/application*.yml',
    '**/application*.yaml',
  ],
  excludePaths: TEMPLATE_FILES,
  check(text, file) {
    const hits: StructHit[] = [];
    const add = (v: string, index: number, detail: string) => {
      if (v.length >= 3 && literal(v) && !/^\$\{/.test(v)) hits.push({ secret: v, index, detail });
    };
    const base = file.base;
    if (/\.(?:cnf|ini)$/.test(base)) {
      for (const e of parseIni(text)) if (/^(?:password|pwd|passwd)$/.test(e.key)) add(e.value, e.index, `[${e.section}] ${e.key}`);
    } else if (base.endsWith('.conf') && /redis/.test(file.path)) {
      for (const m of text.matchAll(/^[ \t]*(requirepass|masterauth)[ \t]+("?)([^\s"]{1,256})\2/gm)) add(m[3] ?? '', m.index ?? 0, m[1] ?? '');
    } else if (base.endsWith('.conf')) {
      for (const m of text.matchAll(/^[ \t]*(?:password|keyFile)[ \t]*:[ \t]*["']?([^\s"']{3,256})/gm)) add(m[1] ?? '', m.index ?? 0, 'mongod security password');
    } else if (base === 'userlist.txt') {
      for (const { line, index } of contentLines(text, ';')) {
        const m = /^"([^"]{1,64})"\s+"([^"]{3,256})"/.exec(line.trim());
        if (m) add(m[2] ?? '', index, `pgbouncer user ${m[1]}`);
      }
    } else if (base.endsWith('.xml')) {
      for (const m of text.matchAll(/<property\s+name="(?:hibernate\.)?connection\.password"\s*>([^<]{1,256})<\/property>/g)) add(m[1] ?? '', m.index ?? 0, 'hibernate connection.password');
      for (const m of text.matchAll(/<Resource\b[^>]{0,2000}?\spassword="([^"]{1,256})"/g)) add(m[1] ?? '', m.index ?? 0, 'JNDI Resource password');
    } else if (base.endsWith('.properties')) {
      for (const m of text.matchAll(/^[ \t]*([\w.-]{0,80}(?:password|passwd|pwd))[ \t]*[=:][ \t]*([^\s#]{1,256})/gim)) add(m[2] ?? '', m.index ?? 0, m[1] ?? 'password');
    } else {
      for (const m of text.matchAll(/^[ \t]*(password|passwd)[ \t]*:[ \t]*(["']?)([^\s"'#]{1,256})\2/gm)) add(m[3] ?? '', m.index ?? 0, `YAML ${m[1]}`);
    }
    return hits;
  },
};

/** MySQL's obfuscated login file (mysql_config_editor): reversible, so the passwords are exposed. */
const mysqlLogin: PathRule = {
  id: 'mysql-login-cnf',
  key: 'common_database_cfg',
  fileType: true,
  paths: ['**/.mylogin.cnf'],
  label: '.mylogin.cnf',
  binary: true,
  detail: 'mysql_config_editor login file (obfuscated, not encrypted)',
};

/** `.pgpass`: `host:port:db:user:password` lines, `\:` and `\\` escapes. */
const pgpass: StructRule = {
  id: 'postgresql-pgpass',
  key: 'postgresql_passwd',
  fileType: true,
  paths: ['**/.pgpass', '**/pgpass.conf', '**/postgresql/pgpass.conf', '**/pgpass'],
  check(text) {
    const hits: StructHit[] = [];
    for (const { line, index } of contentLines(text)) {
      const fields: string[] = [];
      let cur = '';
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (c === '\\' && i + 1 < line.length) cur += line[++i];
        else if (c === ':') {
          fields.push(cur);
          cur = '';
        } else cur += c;
      }
      fields.push(cur);
      if (fields.length !== 5) continue;
      const [host, port, db, user, password] = fields as [string, string, string, string, string];
      if (!host || !db || !user || !/^(?:\d{1,5}|\*)$/.test(port) || password === '' || password === '*' || isPlaceholder(password)) continue;
      hits.push({ secret: password, index, detail: `${user}@${host}:${port}/${db}` });
    }
    return hits;
  },
};

const GENERIC_NAME_STOP = /public|pub_?key|csrf|xsrf|store|vault|(?:^|[_.-])id$|[a-z]Id$|_?ids?$|length|size|version|url|uri|endpoint|file|path|dir|name|type|format|mode|field|header|prefix|suffix|min|max|count|enabled|expir|ttl|timeout|method|provider|issuer|algorithm|cache|policy|source|author|label|placeholder|hint|regex|pattern|description|_at$|hash$|env$|var$/i;

const genericPaths = ['**/.env', '**/*.env', '**/.env.*', '**/credentials', '**/credentials.{json,yml,yaml,ini,conf,cfg,txt,env,properties,toml,xml}', '**/secrets*.y*ml', '**/secrets*.json', '**/password*.txt', '**/*.properties', '**/*.conf', '**/*.ini', '**/*.cfg', '**/*.cnf', '**/*.toml', '**/*.tfvars', '**/*.envrc'];

/**
 * `name = value` where the name says password/secret/token/api key: the catch-all for
 * configuration files and image ENV/history. Passwords need a modest entropy; tokens and keys the
 * gitleaks generic floor (3.5 bits/char, ≥ 10 chars).
 */
const genericAssignment: ContentRule = {
  id: 'generic-credential-assignment',
  key: 'common_cred',
  catchAll: true,
  keywords: ['password', 'passwd', 'pwd', 'secret', 'token', 'api_key', 'api-key', 'apikey', 'access_key', 'access-key', 'private_key', 'credential', 'auth'],
  paths: genericPaths,
  excludePaths: [...TEMPLATE_FILES, '**/.env.example', '**/.env.sample', '**/.env.template', '**/.env.dist'],
  inConfig: true,
  pattern: /^[ \t]{0,20}(?:export[ \t]{1,4}|set[ \t]{1,4}|-[ \t]{1,4})?["']?(?<name>[A-Za-z0-9_.-]{0,40}(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|auth)[A-Za-z0-9_.-]{0,40})["']?[ \t]{0,4}(?:=|:|=>)[ \t]{0,4}(?<q>["'`]?)(?<secret>[^\s'"`#;,]{6,150})\k<q>[ \t]{0,8}(?:[#;].*)?$/im,
  before: 100,
  after: 220,
  generic: true,
  validate(s, m) {
    const name = m.groups?.name ?? '';
    if (GENERIC_NAME_STOP.test(name)) return false;
    const passwordish = /pass|pwd/i.test(name);
    if (!passwordish && (s.length < 10 || shannonEntropy(s) < 3.5)) return false;
    if (passwordish && shannonEntropy(s) < 2.5) return false;
    // Values that are hostnames, paths, numbers with units or identifiers are not secrets.
    if (/^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/.test(s) || /^[./~]/.test(s) || /^https?:/.test(s) || /^\d+(?:\.\d+)*[a-z]{0,3}$/i.test(s)) return false;
    if (!passwordish && /^[a-z0-9]+(?:[_.-][a-z0-9]+)*$/.test(s) && !/[0-9].*[a-z]|[a-z].*[0-9]/.test(s.replace(/[_.-]/g, '').slice(0, 8))) return false;
    if (!passwordish && /^[a-z0-9]+(?:-[a-z0-9]+){2,}$/.test(s)) return false;
    return { detail: `${name} assignment` };
  },
};

const urlBasicAuth: ContentRule = {
  id: 'url-basic-auth',
  key: 'common_cred',
  catchAll: true,
  excludePaths: LIBRARY_CODE,
  keywords: ['http://', 'https://', 'ftp://', 'ftps://', 'sftp://', 'smtp://', 'smtps://', 'ldap://', 'ldaps://'],
  pattern: /(?<scheme>https?|s?ftps?|smtps?|ldaps?):\/\/(?<user>[^\s:/@'"<>`()[\]$]{1,64}):(?<secret>[^\s/'"<>`()[\]]{1,128}?)@(?<host>[\w-]{1,63}(?:\.[\w-]{1,63}){0,10})(?=[:/?#\s'")\]<>,;`]|$)/,
  before: 0,
  after: 460,
  rejectPlaceholders: false,
  inConfig: true,
  validate(s, m) {
    const user = m.groups?.user ?? '';
    if (!urlPassword(user, s)) return false;
    const scheme = (m.groups?.scheme ?? '').toLowerCase();
    const ftp = /ftp/.test(scheme);
    return { key: ftp ? 'ftp_cfg' : 'common_cred', family: ftp ? 'ftp-client' : undefined, catchAll: !ftp, detail: `${scheme} URL with credentials for ${m.groups?.host ?? ''}` };
  },
};

const curlAuth: ContentRule = {
  id: 'curl-auth',
  key: 'common_cred',
  catchAll: true,
  excludePaths: LIBRARY_CODE,
  keywords: ['curl '],
  requires: ['-u', '--user', 'authorization'],
  pattern: /curl[ \t][^\n]{0,300}?(?:(?:-u|--user)[ =]{1,3}["']?(?<user>[^\s:'"]{1,64}):["']?(?<secret>[^\s'"]{3,128})|(?:-H|--header)[ =]{1,3}["']Authorization:[ ]{0,3}(?:(?:Basic|Bearer|[Tt]oken|Digest)[ ]{1,3})?(?<bearer>[A-Za-z0-9._~+/=-]{8,512}))/,
  secretGroup: 0,
  before: 0,
  after: 900,
  rejectPlaceholders: false,
  inConfig: true,
  validate(_s, m) {
    const v = m.groups?.secret ?? m.groups?.bearer ?? '';
    if (!urlPassword(m.groups?.user ?? '', v) || v.startsWith('$')) return false;
    return { masked: `${v.slice(0, Math.min(4, Math.floor(v.length / 4)))}****`, detail: m.groups?.bearer ? 'curl Authorization header' : 'curl --user credentials' };
  },
};

/** MSBuild / Azure publish profiles. */
const msbuild: StructRule = {
  id: 'msbuild-publish-profile',
  key: 'msbuild_publish_profile',
  fileType: true,
  paths: ['**/*.pubxml', '**/*.pubxml.user', '**/*.PublishSettings', '**/*.publishsettings'],
  check(text) {
    const hits: StructHit[] = [];
    for (const m of text.matchAll(/<(Password|EncryptedPassword)>([^<]{1,2000})<\/\1>/g)) if (literal(m[2] ?? '')) hits.push({ secret: m[2], index: m.index ?? 0, detail: `<${m[1]}>` });
    for (const m of text.matchAll(/\buserPWD="([^"]{1,500})"/g)) if (literal(m[1] ?? '')) hits.push({ secret: m[1], index: m.index ?? 0, detail: 'userPWD' });
    return hits;
  },
};

/** Composer `auth.json`: http-basic passwords and forge tokens. */
const composerAuth: StructRule = {
  id: 'composer-auth-json',
  key: 'common_cred',
  fileType: true,
  paths: ['**/.composer/auth.json', '**/composer/auth.json', '**/auth.json'],
  check(text) {
    if (!/"(?:http-basic|github-oauth|gitlab-token|gitlab-oauth|bitbucket-oauth|bearer)"/.test(text)) return [];
    const hits: StructHit[] = [];
    for (const m of text.matchAll(/"(password|consumer-secret|token|[\w-]+(?:\.[\w-]+)+)"\s*:\s*"([^"]{3,512})"/g)) {
      const name = m[1] ?? '';
      const v = m[2] ?? '';
      // `"github.com": "<token>"` under github-oauth / gitlab-token; `"password"` under http-basic.
      const tokenForHost = name.includes('.') && /^[A-Za-z0-9_-]{20,}$/.test(v);
      if ((tokenForHost || !name.includes('.')) && literal(v)) hits.push({ secret: v, index: m.index ?? 0, detail: tokenForHost ? `composer token for ${name}` : `composer auth ${name}` });
    }
    return hits;
  },
};

/** Known public defaults: the app runs with a secret everybody knows. */
const publicDefaults: ContentRule = {
  id: 'symfony-default-secret',
  key: 'common_cred',
  keywords: ['thistokenisnotsosecretchangeit'],
  pattern: /(?<secret>ThisTokenIsNotSoSecretChangeIt)/,
  before: 0,
  after: 0,
  rejectPlaceholders: false,
  validate: () => ({ masked: 'ThisTokenIsNotSoSecretChangeIt (Symfony default)****', detail: 'Symfony default secret left unchanged' }),
};

const mavenMaster: ContentRule = {
  id: 'maven-settings-security-master',
  key: 'common_cred',
  keywords: ['<master>'],
  paths: ['**/settings-security.xml'],
  pattern: /<master>\s{0,4}(?<secret>[^<\s][^<]{2,300}?)\s{0,4}<\/master>/,
  before: 0,
  after: 330,
  validate: () => ({ detail: 'Maven master password (settings-security.xml)' }),
};

export const appContentRules: ContentRule[] = [publicDefaults, mavenMaster, ...django, ...phpDatabase, ...database, genericAssignment, urlBasicAuth, curlAuth];
export const appStructRules: StructRule[] = [...rails, wordpress, joomla, mediawiki, dbConfigFiles, pgpass, msbuild, composerAuth];
export const appPathRules: PathRule[] = [phpConfig, mysqlLogin];
