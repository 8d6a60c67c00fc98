/**
 * The sensitive-file catalog: every `SensitiveFileKey` of Alibaba's DescribeImageSensitiveFileByKey
 * (exact spelling, including `gitLab_personal_token`), with names, default severity, description and
 * advice in English and Chinese. Detection lives in `rules/`; this file is what reports show.
 */
export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type Lang = 'en' | 'zh';

export interface Localized {
  en: string;
  zh: string;
}

export interface CatalogEntry {
  key: string;
  name: Localized;
  severity: Severity;
  description: Localized;
  advice: Localized;
}

const ROTATE: Localized = {
  en: 'Revoke or rotate the credential at its issuer, remove it from the image and the build context, and inject it at runtime (secret store, environment at deploy time, BuildKit --mount=type=secret while building); then rebuild.',
  zh: '在签发方吊销或轮换该凭据，将其从镜像和构建上下文中删除，改为在运行时注入（密钥管理服务、部署时的环境变量，构建时使用 BuildKit --mount=type=secret），然后重新构建镜像。',
};
const TOKEN_DESC = (en: string, zh: string): Localized => ({
  en: `${en} found in an image file. Anyone who pulls the image can use it to call the service with the owner's rights.`,
  zh: `在镜像文件中发现${zh}。任何能拉取该镜像的人都可以用它以所有者的权限调用对应服务。`,
});
const KEY_ADVICE: Localized = {
  en: 'Revoke whatever the key authenticates or signs (certificates, SSH access, tokens), delete it from the image and load it from a secret store or mount at runtime; then rebuild.',
  zh: '吊销该密钥所认证或签发的一切（证书、SSH 访问、令牌），将其从镜像中删除，改为运行时从密钥管理服务或挂载卷加载，然后重新构建镜像。',
};
const DB_ADVICE: Localized = {
  en: 'Change the database password, read it from the environment or a mounted secret instead of the file, and rebuild the image.',
  zh: '修改数据库密码，改为从环境变量或挂载的密钥文件读取，不要写在文件中，然后重新构建镜像。',
};
const CLIENT_ADVICE: Localized = {
  en: 'Change the passwords stored in this client profile, keep such profiles out of the build context (.dockerignore) and rebuild.',
  zh: '修改该客户端配置中保存的密码，并通过 .dockerignore 将此类配置排除在构建上下文之外，然后重新构建镜像。',
};

type Row = [key: string, severity: Severity, en: string, zh: string, desc: Localized, advice: Localized];

const d = (en: string, zh: string): Localized => ({ en, zh });

const ROWS: Row[] = [
  ['npm_token', 'critical', 'NPM access token', 'NPM 访问令牌', TOKEN_DESC('An npm access token', 'npm 访问令牌'), d('Revoke the token on npmjs.com, delete .npmrc from the image (use npm ci with --mount=type=secret,id=npmrc) and rebuild.', '在 npmjs.com 吊销该令牌，从镜像中删除 .npmrc（构建时使用 npm ci 配合 --mount=type=secret,id=npmrc），然后重新构建镜像。')],
  ['ftp_cfg', 'medium', 'FTP configuration', 'FTP 配置', d('An FTP client or deployment configuration with a stored password.', '包含已保存密码的 FTP 客户端或部署配置。'), d('Change the FTP password, remove FTP client and deploy configs from the image and prefer SFTP with keys supplied at runtime.', '修改 FTP 密码，从镜像中删除 FTP 客户端和部署配置，优先使用运行时提供密钥的 SFTP。')],
  ['google_oauth_key', 'high', 'Google OAuth Key', 'Google OAuth 密钥', d('A Google OAuth client secret (client_secret JSON or GOCSPX- secret).', 'Google OAuth 客户端密钥（client_secret JSON 文件或 GOCSPX- 开头的密钥）。'), d('Reset the OAuth client secret in the Google Cloud console, remove the file from the image and mount it at runtime.', '在 Google Cloud 控制台重置 OAuth 客户端密钥，将文件从镜像中删除并在运行时挂载。')],
  ['planetscale_passwd', 'high', 'Planetscale password', 'Planetscale 密码', TOKEN_DESC('A PlanetScale database password (pscale_pw_)', 'PlanetScale 数据库密码（pscale_pw_）'), ROTATE],
  ['github_ssh_key', 'high', 'Github SSH key', 'Github SSH 密钥', d('A private key used for GitHub access (deploy key, SSH key or GitHub App key).', '用于访问 GitHub 的私钥（部署密钥、SSH 密钥或 GitHub App 密钥）。'), d('Remove the key from GitHub (deploy keys, SSH keys or App keys), delete it from the image and use BuildKit --mount=type=ssh for clones during builds.', '在 GitHub 上删除该密钥（部署密钥、SSH 密钥或 App 密钥），将其从镜像中删除，构建时克隆代码改用 BuildKit --mount=type=ssh。')],
  ['msbuild_publish_profile', 'medium', 'MSBuild publish profile', 'MSBuild 发布配置文件', d('An MSBuild or Azure publish profile holding deployment credentials.', '包含部署凭据的 MSBuild 或 Azure 发布配置文件。'), d('Reset the publish credentials, exclude Properties/PublishProfiles from the build context and rebuild.', '重置发布凭据，将 Properties/PublishProfiles 排除在构建上下文之外，然后重新构建镜像。')],
  ['fastly_cdn_token', 'medium', 'Fastly CDN token', 'Fastly CDN 令牌', TOKEN_DESC('A Fastly API token', 'Fastly API 令牌'), ROTATE],
  ['ssh_private_key', 'high', 'SSH private key', 'SSH 私钥', d('An SSH private key (client key or host key) stored in the image.', '镜像中存放的 SSH 私钥（客户端密钥或主机密钥）。'), d('Remove the key and its authorized_keys entries, generate host keys when the container starts, and pass client keys through ssh-agent or --mount=type=ssh.', '删除该密钥及服务器上对应的 authorized_keys 条目，主机密钥在容器启动时生成，客户端密钥通过 ssh-agent 或 --mount=type=ssh 提供。')],
  ['aws_cli', 'critical', 'AWS CLI credentials', 'AWS CLI 凭据', d('An AWS CLI credentials or config file with access keys.', '包含访问密钥的 AWS CLI 凭据或配置文件。'), d('Deactivate the IAM access key, delete ~/.aws/credentials from the image and use IAM roles or runtime-injected credentials.', '停用该 IAM 访问密钥，从镜像中删除 ~/.aws/credentials，改用 IAM 角色或运行时注入的凭据。')],
  ['cpanel_proftpd', 'medium', 'cPanel ProFTPd credentials', 'cPanel ProFTPd 凭据', d('A cPanel ProFTPd password file with account password hashes.', '包含账户密码哈希的 cPanel ProFTPd 密码文件。'), d('Reset the affected FTP account passwords, remove cPanel backup artefacts from the image and rebuild.', '重置受影响的 FTP 账户密码，从镜像中删除 cPanel 备份文件，然后重新构建镜像。')],
  ['postgresql_passwd', 'high', 'PostgreSQL password file', 'PostgreSQL 密码文件', d('A PostgreSQL password file (.pgpass) or PGPASSWORD assignment.', 'PostgreSQL 密码文件（.pgpass）或 PGPASSWORD 赋值。'), d('Change the PostgreSQL password, delete .pgpass from the image and provide it at runtime as a mounted secret (mode 0600).', '修改 PostgreSQL 密码，从镜像中删除 .pgpass，改为运行时以挂载密钥（权限 0600）提供。')],
  ['discord_client_cred', 'medium', 'Discord client credentials', 'Discord 客户端凭据', TOKEN_DESC('A Discord client secret, bot token or webhook', 'Discord 客户端密钥、机器人令牌或 Webhook'), ROTATE],
  ['rails_database', 'high', 'Rails database configuration', 'Rails 数据库配置', d('A Rails config/database.yml with a literal database password.', '包含明文数据库密码的 Rails config/database.yml。'), DB_ADVICE],
  ['aws_access_key', 'critical', 'AWS Access Key', 'AWS 访问密钥', d('An AWS access key ID or secret access key.', 'AWS 访问密钥 ID 或秘密访问密钥。'), d('Deactivate and delete the IAM access key, review CloudTrail for its use, remove it from the image and switch to roles or runtime-injected credentials.', '停用并删除该 IAM 访问密钥，在 CloudTrail 中检查其使用记录，将其从镜像中删除并改用角色或运行时注入的凭据。')],
  ['esmtp_cfg', 'medium', 'ESMTP mail server configuration', 'ESMTP 邮件服务器配置', d('An esmtp configuration with SMTP account credentials.', '包含 SMTP 账户凭据的 esmtp 配置。'), d('Change the SMTP account password, remove .esmtprc from the image and mount it at runtime.', '修改 SMTP 账户密码，从镜像中删除 .esmtprc 并在运行时挂载。')],
  ['docker_registry_cfg', 'high', 'Docker image repository configuration', 'Docker 镜像仓库配置', d('A Docker client configuration with registry credentials (auths/auth or identity tokens).', '包含镜像仓库凭据（auths/auth 或身份令牌）的 Docker 客户端配置。'), d('Revoke the registry password or token, remove ~/.docker/config.json from the image (log in only in the CI job) and rebuild.', '吊销镜像仓库密码或令牌，从镜像中删除 ~/.docker/config.json（仅在 CI 任务中登录），然后重新构建镜像。')],
  ['pem', 'medium', 'PEM', 'PEM', d('A .pem/.key file holding a private key.', '包含私钥的 .pem/.key 文件。'), d('Revoke and reissue the certificate that uses the key, remove the key from the image and mount it at runtime.', '吊销并重新签发使用该密钥的证书，将密钥从镜像中删除并在运行时挂载。')],
  ['common_cred', 'medium', 'common credentials', '通用凭据', d('A password, token or API key assigned literally in a file, or credentials embedded in a URL.', '文件中以明文赋值的密码、令牌或 API 密钥，或嵌入在 URL 中的凭据。'), d('Rotate the exposed credential, remove it from files baked into the image and supply it through runtime configuration.', '轮换已暴露的凭据，将其从打包进镜像的文件中删除，改为通过运行时配置提供。')],
  ['sftp_cfg', 'medium', 'SFTP connection configuration', 'SFTP 连接配置', d('An editor SFTP deployment configuration (sftp-config.json) with server credentials.', '包含服务器凭据的编辑器 SFTP 部署配置（sftp-config.json）。'), CLIENT_ADVICE],
  ['grafana_token', 'medium', 'Grafana token', 'Grafana 令牌', TOKEN_DESC('A Grafana API key, cloud token or service-account token', 'Grafana API 密钥、云令牌或服务账号令牌'), ROTATE],
  ['slack_token', 'high', 'Slack Token', 'Slack 令牌', TOKEN_DESC('A Slack token or incoming-webhook URL', 'Slack 令牌或 Incoming Webhook 地址'), ROTATE],
  ['ec_private_key', 'high', 'EC private key', 'EC 私钥', d('An elliptic-curve private key (SEC1, BEGIN EC PRIVATE KEY).', '椭圆曲线私钥（SEC1 格式，BEGIN EC PRIVATE KEY）。'), KEY_ADVICE],
  ['pypi_token', 'high', 'PyPI upload token', 'PyPI 上传令牌', d('A PyPI API token or .pypirc password that can publish packages.', '可以发布软件包的 PyPI API 令牌或 .pypirc 密码。'), d('Delete the token on PyPI (Account settings > API tokens), remove .pypirc from the image and rebuild.', '在 PyPI（账户设置 > API 令牌）删除该令牌，从镜像中删除 .pypirc，然后重新构建镜像。')],
  ['finicity_token', 'medium', 'Finicity platform token', 'Finicity 平台令牌', TOKEN_DESC('A Finicity API token or client secret', 'Finicity API 令牌或客户端密钥'), ROTATE],
  ['k8s_client_key', 'critical', 'Kubernetes client private key', 'Kubernetes 客户端私钥', d('A Kubernetes client key or token (kubeconfig client-key-data, PKI key).', 'Kubernetes 客户端密钥或令牌（kubeconfig 的 client-key-data、PKI 私钥）。'), d('Revoke the client certificate (rotate the cluster CA if admin credentials leaked), delete kubeconfig and PKI files from the image and use in-cluster service-account tokens.', '吊销该客户端证书（若管理员凭据泄露需轮换集群 CA），从镜像中删除 kubeconfig 和 PKI 文件，改用集群内的服务账号令牌。')],
  ['git_cfg', 'low', 'Git configuration', 'Git 配置', d('A Git configuration with credentials in a remote URL or an authorization header.', '远程 URL 或认证头中包含凭据的 Git 配置。'), d('Strip credentials from remote URLs (use a credential helper with --mount=type=secret at build time), exclude .git and .gitconfig from the build context and rebuild.', '从远程 URL 中移除凭据（构建时通过 --mount=type=secret 使用凭据助手），将 .git 和 .gitconfig 排除在构建上下文之外，然后重新构建镜像。')],
  ['django_key', 'high', 'Django key', 'Django 密钥', d('A literal Django SECRET_KEY in a settings module.', 'Django 配置模块中明文写入的 SECRET_KEY。'), d('Generate a new SECRET_KEY (this invalidates sessions and reset tokens), load it from the environment and rebuild.', '生成新的 SECRET_KEY（会使现有会话和重置令牌失效），改为从环境变量加载，然后重新构建镜像。')],
  ['jenkins_ssh', 'high', 'Jenkins SSH configuration file', 'Jenkins SSH 配置文件', d('A Jenkins Publish-over-SSH configuration with SSH passwords or keys.', '包含 SSH 密码或密钥的 Jenkins Publish over SSH 配置。'), d('Rotate the SSH keys and passwords configured in Publish over SSH, keep JENKINS_HOME on a volume instead of in the image, and rebuild.', '轮换 Publish over SSH 中配置的 SSH 密钥和密码，将 JENKINS_HOME 放在数据卷而不是镜像中，然后重新构建镜像。')],
  ['openssh_private_key', 'high', 'OPENSSH private key', 'OPENSSH 私钥', d('An OpenSSH-format private key (BEGIN OPENSSH PRIVATE KEY).', 'OpenSSH 格式的私钥（BEGIN OPENSSH PRIVATE KEY）。'), d('Remove the key from authorized_keys wherever it is trusted, delete it from the image and use ssh-agent forwarding or --mount=type=ssh.', '在所有信任该密钥的 authorized_keys 中删除它，从镜像中删除该密钥，改用 ssh-agent 转发或 --mount=type=ssh。')],
  ['square_oauth', 'high', 'Square OAuth credentials', 'Square OAuth 凭据', TOKEN_DESC('A Square OAuth application secret', 'Square OAuth 应用密钥'), ROTATE],
  ['typeform_token', 'medium', 'Typeform token', 'Typeform 令牌', TOKEN_DESC('A Typeform personal token', 'Typeform 个人令牌'), ROTATE],
  ['common_database_cfg', 'high', 'common database connection configuration', '通用数据库连接配置', d('A database connection string or configuration with a literal password.', '包含明文密码的数据库连接字符串或配置。'), DB_ADVICE],
  ['wordpress_database_cfg', 'high', 'WordPress database configuration', 'WordPress 数据库配置', d('A wp-config.php with the database password or authentication keys and salts.', '包含数据库密码或认证密钥与盐值的 wp-config.php。'), d('Change the database password and regenerate the salts, read them from the environment in wp-config.php and rebuild.', '修改数据库密码并重新生成盐值，在 wp-config.php 中改为从环境变量读取，然后重新构建镜像。')],
  ['googlecloud_api_key', 'high', 'Google Cloud API Key', 'Google Cloud API 密钥', d('A Google Cloud API key (AIza…) or a service-account key file.', 'Google Cloud API 密钥（AIza 开头）或服务账号密钥文件。'), d('Delete or restrict the API key or service-account key in GCP IAM, remove the file from the image and use workload identity or a mounted secret.', '在 GCP IAM 中删除或限制该 API 密钥或服务账号密钥，从镜像中删除文件，改用工作负载身份或挂载的密钥。')],
  ['vscode_sftp', 'medium', 'VSCode SFTP configuration', 'VSCode SFTP 配置', d('A VS Code SFTP extension configuration (.vscode/sftp.json) with server credentials.', '包含服务器凭据的 VS Code SFTP 插件配置（.vscode/sftp.json）。'), CLIENT_ADVICE],
  ['apache_htpasswd', 'medium', 'Apache htpasswd', 'Apache htpasswd 文件', d('An htpasswd file with HTTP basic-auth users and password hashes.', '包含 HTTP Basic 认证用户及密码哈希的 htpasswd 文件。'), d('Reset the affected basic-auth passwords (use bcrypt) and mount the htpasswd file at runtime instead of baking it in.', '重置受影响的 Basic 认证密码（使用 bcrypt），并在运行时挂载 htpasswd 文件，而不是打包进镜像。')],
  ['planetscale_token', 'high', 'Planetscale token', 'Planetscale 令牌', TOKEN_DESC('A PlanetScale service or OAuth token', 'PlanetScale 服务令牌或 OAuth 令牌'), ROTATE],
  ['contentful_preview_token', 'low', 'Contentful Preview token', 'Contentful 预览令牌', TOKEN_DESC('A Contentful Preview API token', 'Contentful 预览 API 令牌'), ROTATE],
  ['php_database_cfg', 'high', 'PHP application database password', 'PHP 应用数据库密码', d('A PHP file that connects to a database with a literal password.', '使用明文密码连接数据库的 PHP 文件。'), DB_ADVICE],
  ['atom_remote_sync', 'medium', 'Atom remote synchronization configuration', 'Atom 远程同步配置', d('An Atom remote-sync configuration (.remote-sync.json) with server credentials.', '包含服务器凭据的 Atom remote-sync 配置（.remote-sync.json）。'), CLIENT_ADVICE],
  ['aws_session_token', 'high', 'AWS session token', 'AWS 会话令牌', d('A temporary AWS STS session token.', 'AWS STS 临时会话令牌。'), d('Revoke active sessions of the role (IAM "Revoke active sessions"), remove the token from the image and never bake temporary credentials.', '吊销该角色的活动会话（IAM“撤销活动会话”），从镜像中删除该令牌，不要把临时凭据打包进镜像。')],
  ['atom_sftp_cfg', 'medium', 'Atom SFTP configuration', 'Atom SFTP 配置', d('An Atom SFTP deployment configuration with server credentials.', '包含服务器凭据的 Atom SFTP 部署配置。'), CLIENT_ADVICE],
  ['asana_client_private_key', 'medium', 'Asana client private key', 'Asana 客户端私钥', TOKEN_DESC('An Asana client secret or personal access token', 'Asana 客户端密钥或个人访问令牌'), ROTATE],
  ['tencentcloud_ak', 'critical', 'third-party cloud SecretId', '第三方云 SecretId', d('A Tencent Cloud SecretId/SecretKey pair or credential file.', '腾讯云 SecretId/SecretKey 密钥对或凭据文件。'), d('Disable and delete the API key in Tencent Cloud CAM, remove credential files from the image and use CAM roles or runtime injection.', '在腾讯云 CAM 中禁用并删除该 API 密钥，从镜像中删除凭据文件，改用 CAM 角色或运行时注入。')],
  ['rsa_private_key', 'high', 'RSA private key', 'RSA 私钥', d('An RSA private key (PKCS#1, BEGIN RSA PRIVATE KEY).', 'RSA 私钥（PKCS#1 格式，BEGIN RSA PRIVATE KEY）。'), KEY_ADVICE],
  ['github_personal_token', 'critical', 'Github Personal access token', 'Github 个人访问令牌', TOKEN_DESC('A GitHub personal access token (ghp_ or github_pat_)', 'GitHub 个人访问令牌（ghp_ 或 github_pat_）'), d('Revoke the token in GitHub settings, remove it from the image and use short-lived CI tokens.', '在 GitHub 设置中吊销该令牌，将其从镜像中删除，改用短期有效的 CI 令牌。')],
  ['pgp', 'low', 'PGP encrypt file', 'PGP 加密文件', d('An OpenPGP encrypted message (armored or binary).', 'OpenPGP 加密消息（ASCII 封装或二进制）。'), d('Check that the encrypted payload is meant to ship; remove it, and any private key that decrypts it, from the image if not.', '确认该加密内容是否应当随镜像发布；如不应当，将其及能解密它的私钥一并从镜像中删除。')],
  ['stripe_skpk', 'critical', 'Stripe Secret Key', 'Stripe 密钥', TOKEN_DESC('A Stripe secret, restricted or publishable key', 'Stripe 密钥、受限密钥或可发布密钥'), d('Roll the key in the Stripe dashboard, remove it from the image and inject it at runtime.', '在 Stripe 控制台滚动更新该密钥，将其从镜像中删除并在运行时注入。')],
  ['square_token', 'high', 'Square access token', 'Square 访问令牌', TOKEN_DESC('A Square access token', 'Square 访问令牌'), ROTATE],
  ['rails_carrierwave', 'high', 'Rails Carrierwave file upload credentials', 'Rails Carrierwave 文件上传凭据', d('A CarrierWave initializer with literal cloud-storage credentials.', '包含明文云存储凭据的 CarrierWave 初始化文件。'), d('Rotate the storage keys, read them from the environment in the initializer and rebuild.', '轮换存储密钥，在初始化文件中改为从环境变量读取，然后重新构建镜像。')],
  ['dbeaver_database_cfg', 'high', 'DBeaver database configuration', 'DBeaver 数据库配置', d('A DBeaver workspace data-source or credentials file (credentials are only obfuscated).', 'DBeaver 工作区的数据源或凭据文件（凭据仅做了混淆）。'), d('Change the stored database passwords, never copy IDE workspaces into images, and rebuild.', '修改其中保存的数据库密码，不要把 IDE 工作区复制进镜像，然后重新构建镜像。')],
  ['robomongo_cred', 'high', 'Robomongo credentials', 'Robomongo 凭据', d('A Robomongo / Robo 3T profile with MongoDB or SSH credentials.', '包含 MongoDB 或 SSH 凭据的 Robomongo / Robo 3T 配置。'), d('Change the MongoDB and SSH passwords, remove the Robo 3T profile from the image and rebuild.', '修改 MongoDB 和 SSH 密码，从镜像中删除 Robo 3T 配置，然后重新构建镜像。')],
  ['github_oauth_token', 'critical', 'Github OAuth access token', 'Github OAuth 访问令牌', TOKEN_DESC('A GitHub OAuth access token (gho_)', 'GitHub OAuth 访问令牌（gho_）'), d('Revoke the OAuth authorization in GitHub, remove the token from the image and rebuild.', '在 GitHub 中撤销该 OAuth 授权，将令牌从镜像中删除，然后重新构建镜像。')],
  ['pulumi_token', 'high', 'Pulumi token', 'Pulumi 令牌', TOKEN_DESC('A Pulumi access token', 'Pulumi 访问令牌'), d('Delete the access token in the Pulumi console, remove ~/.pulumi from the image and pass PULUMI_ACCESS_TOKEN at runtime.', '在 Pulumi 控制台删除该访问令牌，从镜像中删除 ~/.pulumi，改为运行时传入 PULUMI_ACCESS_TOKEN。')],
  ['ventrilo_voip', 'low', 'Ventrilo VoIP Server configuration', 'Ventrilo VoIP 服务器配置', d('A Ventrilo server configuration with server or admin passwords.', '包含服务器或管理员密码的 Ventrilo 服务器配置。'), d('Change the server and admin passwords and supply the ini file at runtime.', '修改服务器和管理员密码，并在运行时提供该 ini 文件。')],
  ['macos_keychain', 'high', 'macOS Keychain', 'macOS 钥匙串', d('A macOS keychain database.', 'macOS 钥匙串数据库。'), d('Treat every item in the keychain as exposed and rotate it, remove the keychain from the image and rebuild.', '将钥匙串中的所有条目视为已泄露并逐一轮换，从镜像中删除该钥匙串，然后重新构建镜像。')],
  ['amazon_mws_token', 'high', 'Amazon MWS Token', 'Amazon MWS 令牌', TOKEN_DESC('An Amazon MWS auth token', 'Amazon MWS 授权令牌'), d('Revoke the MWS / SP-API authorization in Seller Central, remove the token from the image and rebuild.', '在卖家中心撤销 MWS / SP-API 授权，将令牌从镜像中删除，然后重新构建镜像。')],
  ['dynatrace_token', 'medium', 'Dynatrace token', 'Dynatrace 令牌', TOKEN_DESC('A Dynatrace API token', 'Dynatrace API 令牌'), ROTATE],
  ['java_keystore', 'high', 'Java KeyStore', 'Java 密钥库', d('A Java keystore (JKS/JCEKS/PKCS#12) holding private or secret keys.', '包含私钥或密钥的 Java 密钥库（JKS/JCEKS/PKCS#12）。'), d('Reissue the keys and certificates in the keystore, remove it from the image and mount it with its password at runtime.', '重新签发密钥库中的密钥和证书，将其从镜像中删除，运行时再挂载密钥库并提供其密码。')],
  ['microsoft_sdf', 'medium', 'Microsoft SQL CE database', 'Microsoft SQL CE 数据库', d('A SQL Server Compact database file, which may contain credentials or personal data.', 'SQL Server Compact 数据库文件，可能包含凭据或个人数据。'), d('Check the database for credentials and personal data, remove it from the image and ship data through a volume.', '检查该数据库中的凭据和个人数据，将其从镜像中删除，改为通过数据卷提供数据。')],
  ['kubernetes_dashboard_cred', 'critical', 'Kubernetes Dashboard user credentials', 'Kubernetes Dashboard 用户凭据', d('A Kubernetes Dashboard service-account token or static auth file.', 'Kubernetes Dashboard 的服务账号令牌或静态认证文件。'), d('Delete or rotate the dashboard service-account token (and an over-privileged ClusterRoleBinding), remove the file from the image and rebuild.', '删除或轮换 Dashboard 服务账号令牌（以及权限过大的 ClusterRoleBinding），将文件从镜像中删除，然后重新构建镜像。')],
  ['atlassian_token', 'high', 'Atlassian token', 'Atlassian 令牌', TOKEN_DESC('An Atlassian (Jira/Confluence) API token', 'Atlassian（Jira/Confluence）API 令牌'), ROTATE],
  ['rdp', 'medium', 'Remote Desktop Protocol (RDP) connection', '远程桌面（RDP）连接', d('A Remote Desktop connection file; with a stored password blob it is high risk.', '远程桌面连接文件；若保存了密码数据则风险较高。'), d('Remove .rdp connection files from the image; rotate the password if a "password 51:b:" blob was stored.', '从镜像中删除 .rdp 连接文件；如果保存了“password 51:b:”密码数据，请修改该密码。')],
  ['mailgun_key', 'medium', 'Mailgun Webhook Signing Key', 'Mailgun Webhook 签名密钥', TOKEN_DESC('A Mailgun webhook signing key', 'Mailgun Webhook 签名密钥'), ROTATE],
  ['mailchimp_api_key', 'medium', 'Mailchimp API Key', 'Mailchimp API 密钥', TOKEN_DESC('A Mailchimp API key', 'Mailchimp API 密钥'), ROTATE],
  ['netrc_cfg', 'high', '.netrc configuration file', '.netrc 配置文件', d('A .netrc file with machine logins and passwords or API tokens.', '包含主机登录名和密码或 API 令牌的 .netrc 文件。'), d('Change every password and token listed, delete .netrc from the image and use a mounted secret at runtime.', '修改其中列出的所有密码和令牌，从镜像中删除 .netrc，改为运行时挂载密钥。')],
  ['openvpn_cfg', 'high', 'OpenVPN client configuration', 'OpenVPN 客户端配置', d('An OpenVPN profile with an inline private key, static key or credentials.', '包含内联私钥、静态密钥或凭据的 OpenVPN 配置文件。'), d('Revoke the client certificate or static key on the VPN server, remove the profile from the image and mount it at runtime.', '在 VPN 服务器上吊销该客户端证书或静态密钥，从镜像中删除配置文件并在运行时挂载。')],
  ['github_refresh_token', 'critical', 'Github Refresh Token', 'Github 刷新令牌', TOKEN_DESC('A GitHub refresh token (ghr_)', 'GitHub 刷新令牌（ghr_）'), d('Revoke the GitHub App user authorization, remove the token from the image and rebuild.', '撤销 GitHub App 的用户授权，将令牌从镜像中删除，然后重新构建镜像。')],
  ['salesforce', 'high', 'Salesforce credentials', 'Salesforce 凭据', d('A Salesforce access token, SFDX auth URL or CLI auth file.', 'Salesforce 访问令牌、SFDX 认证 URL 或 CLI 认证文件。'), d('Revoke the connected-app tokens and reset the security token, remove Salesforce CLI auth files from the image and rebuild.', '撤销关联应用的令牌并重置安全令牌，从镜像中删除 Salesforce CLI 认证文件，然后重新构建镜像。')],
  ['sendinblue', 'medium', 'Sendinblue token', 'Sendinblue 令牌', TOKEN_DESC('A Sendinblue (Brevo) API or SMTP key', 'Sendinblue（Brevo）API 或 SMTP 密钥'), ROTATE],
  ['pkcs_private_key', 'high', 'PKCS#12 key', 'PKCS#12 密钥', d('A PKCS#12 bundle with a private-key bag.', '包含私钥包的 PKCS#12 文件。'), d('Revoke the certificate, remove the PFX from the image and mount it with its password at runtime.', '吊销该证书，将 PFX 文件从镜像中删除，运行时再挂载并提供其密码。')],
  ['rubyonrails_passwd', 'high', 'Ruby on Rails password file', 'Ruby on Rails 密码文件', d('A Rails secrets file with a literal secret_key_base or passwords.', '包含明文 secret_key_base 或密码的 Rails secrets 文件。'), d('Rotate the listed secrets, move them to Rails encrypted credentials or the environment, and rebuild.', '轮换其中列出的密钥，改用 Rails 加密凭据或环境变量保存，然后重新构建镜像。')],
  ['filezilla_ftp', 'high', 'FileZilla FTP configuration', 'FileZilla FTP 配置', d('A FileZilla site manager or server configuration with stored passwords.', '保存了密码的 FileZilla 站点管理器或服务器配置。'), CLIENT_ADVICE],
  ['databricks_token', 'high', 'Databricks token', 'Databricks 令牌', TOKEN_DESC('A Databricks personal access token', 'Databricks 个人访问令牌'), ROTATE],
  ['gitLab_personal_token', 'critical', 'GitLab Personal access token', 'GitLab 个人访问令牌', TOKEN_DESC('A GitLab access token (glpat- and related prefixes)', 'GitLab 访问令牌（glpat- 及相关前缀）'), d('Revoke the token in GitLab (User settings > Access tokens), remove it from the image and use CI_JOB_TOKEN or short-lived tokens.', '在 GitLab（用户设置 > 访问令牌）吊销该令牌，将其从镜像中删除，改用 CI_JOB_TOKEN 或短期令牌。')],
  ['rails_master_key', 'critical', 'Rails Master Key', 'Rails 主密钥', d('A Rails master key, which decrypts config/credentials.yml.enc.', 'Rails 主密钥，可解密 config/credentials.yml.enc。'), d('Rotate every secret in credentials.yml.enc, generate a new master key, pass RAILS_MASTER_KEY at runtime and exclude config/master.key from the build context.', '轮换 credentials.yml.enc 中的所有密钥，生成新的主密钥，运行时通过 RAILS_MASTER_KEY 传入，并将 config/master.key 排除在构建上下文之外。')],
  ['sqlite', 'low', 'SQLite3/SQLite database', 'SQLite3/SQLite 数据库', d('An SQLite database file, which may hold credentials or personal data.', 'SQLite 数据库文件，可能包含凭据或个人数据。'), d('Review the database for credentials or personal data and ship data through volumes instead of baking it into the image.', '检查数据库中是否有凭据或个人数据，改为通过数据卷提供数据，而不是打包进镜像。')],
  ['firefox_logins', 'high', 'Firefox logon configuration', 'Firefox 登录配置', d('A Firefox profile with saved logins or the key database that decrypts them.', '包含已保存登录信息或其解密密钥库的 Firefox 配置目录。'), d('Change every saved site password, never copy browser profiles into images, and rebuild.', '修改所有已保存网站的密码，不要把浏览器配置目录复制进镜像，然后重新构建镜像。')],
  ['mailgun_private_token', 'medium', 'Mailgun Private token', 'Mailgun 私有令牌', TOKEN_DESC('A Mailgun private API key', 'Mailgun 私有 API 密钥'), ROTATE],
  ['joomla_cfg', 'high', 'Joomla configuration', 'Joomla 配置', d('A Joomla configuration.php with the database password and site secret.', '包含数据库密码和站点密钥的 Joomla configuration.php。'), d('Change the database password and $secret, keep configuration.php out of the image (mount it) and rebuild.', '修改数据库密码和 $secret，不要把 configuration.php 打包进镜像（改为挂载），然后重新构建镜像。')],
  ['hashicorp_terraform_token', 'high', 'Hashicorp Terraform Token', 'Hashicorp Terraform 令牌', TOKEN_DESC('An HCP Terraform / Terraform Cloud API token', 'HCP Terraform / Terraform Cloud API 令牌'), d('Revoke the user, team or organisation token in HCP Terraform, remove CLI credentials from the image and rebuild.', '在 HCP Terraform 中吊销该用户、团队或组织令牌，从镜像中删除 CLI 凭据，然后重新构建镜像。')],
  ['jetbrains_ides', 'medium', 'Jetbrains IDEs configuration', 'Jetbrains IDE 配置', d('A JetBrains project configuration (.idea) with server or data-source credentials.', '包含服务器或数据源凭据的 JetBrains 项目配置（.idea）。'), d('Change any stored server or database passwords, add .idea/ to .dockerignore and rebuild.', '修改其中保存的服务器或数据库密码，将 .idea/ 加入 .dockerignore，然后重新构建镜像。')],
  ['heroku_api_key', 'high', 'Heroku API key', 'Heroku API 密钥', TOKEN_DESC('A Heroku API key', 'Heroku API 密钥'), d('Regenerate the Heroku API key or revoke the authorization, remove it from the image and rebuild.', '重新生成 Heroku API 密钥或撤销授权，将其从镜像中删除，然后重新构建镜像。')],
  ['messagebird_token', 'medium', 'MessageBird token', 'MessageBird 令牌', TOKEN_DESC('A MessageBird access key', 'MessageBird 访问密钥'), ROTATE],
  ['github_app_token', 'critical', 'Github App Token', 'Github App 令牌', TOKEN_DESC('A GitHub App token (ghu_ or ghs_)', 'GitHub App 令牌（ghu_ 或 ghs_）'), d('Revoke the token and rotate the App private key if it leaked too, remove it from the image and rebuild.', '吊销该令牌，如 App 私钥也已泄露则一并轮换，将其从镜像中删除，然后重新构建镜像。')],
  ['hashicorp_vault_token', 'critical', 'Hashicorp Vault Token', 'Hashicorp Vault 令牌', TOKEN_DESC('A HashiCorp Vault token', 'HashiCorp Vault 令牌'), d('Revoke the token (vault token revoke), delete ~/.vault-token from the image and use Vault agent or an auth method at runtime.', '吊销该令牌（vault token revoke），从镜像中删除 ~/.vault-token，运行时改用 Vault Agent 或认证方式获取令牌。')],
  ['pgp_private_key', 'high', 'PGP private key', 'PGP 私钥', d('An OpenPGP secret key (armored, binary packet or GnuPG key file).', 'OpenPGP 私钥（ASCII 封装、二进制数据包或 GnuPG 密钥文件）。'), d('Revoke the OpenPGP key (publish a revocation certificate), remove ~/.gnupg from the image and import keys at runtime.', '吊销该 OpenPGP 密钥（发布吊销证书），从镜像中删除 ~/.gnupg，改为运行时导入密钥。')],
  ['sshpasswd', 'high', 'SSH password', 'SSH 密码', d('An SSH password passed to sshpass or an expect script.', '通过 sshpass 或 expect 脚本传递的 SSH 密码。'), d('Change the SSH password, switch to key-based authentication provided at runtime, and rebuild.', '修改该 SSH 密码，改用运行时提供的密钥认证，然后重新构建镜像。')],
  ['huaweicloud_ak', 'critical', 'third-party cloud Secret Access Key', '第三方云 Secret Access Key', d('A Huawei Cloud access key / secret key pair or credential file.', '华为云 AK/SK 密钥对或凭据文件。'), d('Delete the access key in Huawei Cloud IAM, remove credential files from the image and use agencies/IAM roles or runtime injection.', '在华为云 IAM 中删除该访问密钥，从镜像中删除凭据文件，改用委托/IAM 角色或运行时注入。')],
  ['aws_s3cmd', 'critical', 'AWS S3cmd configuration', 'AWS S3cmd 配置', d('An s3cmd configuration (.s3cfg) with access and secret keys.', '包含访问密钥和秘密密钥的 s3cmd 配置（.s3cfg）。'), d('Deactivate the IAM key, delete .s3cfg from the image and rebuild.', '停用该 IAM 密钥，从镜像中删除 .s3cfg，然后重新构建镜像。')],
  ['php_config', 'low', 'PHP configuration', 'PHP 配置', d('A PHP application configuration file, which often carries credentials.', 'PHP 应用配置文件，常常包含凭据。'), d('Review the file for credentials, read secrets from the environment (getenv) and rebuild.', '检查该文件中是否有凭据，改为从环境变量（getenv）读取密钥，然后重新构建镜像。')],
  ['common_private_key', 'high', 'common private key types', '通用私钥类型', d('A private key in PKCS#8 or another format (BEGIN PRIVATE KEY, age secret key, …).', 'PKCS#8 或其他格式的私钥（BEGIN PRIVATE KEY、age 私钥等）。'), KEY_ADVICE],
  ['microsoft_mdf', 'medium', 'Microsoft SQL database', 'Microsoft SQL 数据库', d('A SQL Server database file, which may contain credentials or personal data.', 'SQL Server 数据库文件，可能包含凭据或个人数据。'), d('Remove database files from the image (attach them from a volume) and review the data for credentials and personal data.', '从镜像中删除数据库文件（改为从数据卷附加），并检查其中的凭据和个人数据。')],
  ['mediawiki_cfg', 'high', 'MediaWiki configuration', 'MediaWiki 配置', d('A MediaWiki LocalSettings.php with the database password or secret keys.', '包含数据库密码或密钥的 MediaWiki LocalSettings.php。'), d('Change the database password, regenerate $wgSecretKey and $wgUpgradeKey, and mount LocalSettings.php at runtime.', '修改数据库密码，重新生成 $wgSecretKey 和 $wgUpgradeKey，并在运行时挂载 LocalSettings.php。')],
  ['jenkins_cred', 'high', 'Jenkins credentials', 'Jenkins 凭据', d('Jenkins credential storage (credentials.xml or the keys that decrypt it).', 'Jenkins 凭据存储（credentials.xml 或可解密它的密钥）。'), d('Rotate every credential stored in Jenkins, keep JENKINS_HOME on a volume rather than in the image, and rebuild.', '轮换 Jenkins 中保存的所有凭据，将 JENKINS_HOME 放在数据卷而不是镜像中，然后重新构建镜像。')],
  ['rubygems_cred', 'high', 'Rubygems credentials', 'Rubygems 凭据', d('A RubyGems credentials file with an API key that can push gems.', '包含可发布 gem 的 API 密钥的 RubyGems 凭据文件。'), d('Revoke the API key on rubygems.org, delete ~/.gem/credentials from the image and rebuild.', '在 rubygems.org 吊销该 API 密钥，从镜像中删除 ~/.gem/credentials，然后重新构建镜像。')],
  ['clojars_token', 'medium', 'Clojars token', 'Clojars 令牌', TOKEN_DESC('A Clojars deploy token', 'Clojars 部署令牌'), d('Delete the deploy token on clojars.org, remove it from the image and rebuild.', '在 clojars.org 删除该部署令牌，将其从镜像中删除，然后重新构建镜像。')],
  ['phoenix_web_passwd', 'high', 'Phoenix Web credentials', 'Phoenix Web 凭据', d('A Phoenix configuration with a literal database password or secret_key_base.', '包含明文数据库密码或 secret_key_base 的 Phoenix 配置。'), d('Change the database password and regenerate secret_key_base (mix phx.gen.secret), reading both from the environment in runtime.exs.', '修改数据库密码并重新生成 secret_key_base（mix phx.gen.secret），在 runtime.exs 中改为从环境变量读取。')],
  ['puttygen_private_key', 'high', 'PuTTYgen private key', 'PuTTYgen 私钥', d('A PuTTY private key file (.ppk).', 'PuTTY 私钥文件（.ppk）。'), d('Remove the public key from servers that trust it, delete the .ppk from the image and rebuild.', '在信任该公钥的服务器上删除它，从镜像中删除 .ppk 文件，然后重新构建镜像。')],
  ['google_oauth_token', 'high', 'Google OAuth access token', 'Google OAuth 访问令牌', d('A Google OAuth access or refresh token, or gcloud user credentials.', 'Google OAuth 访问令牌或刷新令牌，或 gcloud 用户凭据。'), d('Revoke the grant (gcloud auth revoke or the account permissions page), remove gcloud configuration from the image and use workload identity.', '撤销该授权（gcloud auth revoke 或账户权限页面），从镜像中删除 gcloud 配置，改用工作负载身份。')],
  ['rubyonrails_cfg', 'medium', 'Ruby On Rails database configuration', 'Ruby On Rails 数据库配置', d('A Rails data-store configuration (Mongoid, Redis, Sidekiq…) with a literal password.', '包含明文密码的 Rails 数据存储配置（Mongoid、Redis、Sidekiq 等）。'), d('Change the data-store password, reference the environment in the YAML and rebuild.', '修改数据存储密码，在 YAML 中改为引用环境变量，然后重新构建镜像。')],
  ['lob_api_key', 'medium', 'Lob API Key', 'Lob API 密钥', TOKEN_DESC('A Lob API key', 'Lob API 密钥'), ROTATE],
  ['pkcs_cred', 'medium', 'PKCS#12 certificate', 'PKCS#12 证书', d('A PKCS#12 bundle without a cleartext key bag (certificates, or a key inside encrypted data).', '不含明文私钥包的 PKCS#12 文件（仅证书，或私钥位于加密数据中）。'), d('Check whether the bundle holds a key; if so treat it like a leaked key, otherwise remove unneeded bundles and ship trust material via volumes.', '确认该文件是否包含私钥；若包含则按私钥泄露处理，否则删除不需要的文件，并通过数据卷提供信任材料。')],
  ['otr_private_key', 'medium', 'OTR private key', 'OTR 私钥', d('A Pidgin OTR private key.', 'Pidgin OTR 私钥。'), d('Regenerate the OTR key, tell contacts the new fingerprint and remove Pidgin profiles from the image.', '重新生成 OTR 密钥并告知联系人新的指纹，从镜像中删除 Pidgin 配置目录。')],
  ['contentful_delivery_token', 'low', 'Contentful Delivery token', 'Contentful 分发令牌', TOKEN_DESC('A Contentful Delivery or management API token', 'Contentful 分发或管理 API 令牌'), ROTATE],
  ['digital_ocean_tugboat', 'high', 'Digital Ocean Tugboat configuration', 'Digital Ocean Tugboat 配置', d('A DigitalOcean tugboat/doctl configuration or API token.', 'DigitalOcean tugboat/doctl 配置或 API 令牌。'), d('Revoke the DigitalOcean token, remove tugboat/doctl configuration from the image and rebuild.', '吊销该 DigitalOcean 令牌，从镜像中删除 tugboat/doctl 配置，然后重新构建镜像。')],
  ['dsa_private_key', 'high', 'DSA private key', 'DSA 私钥', d('A DSA private key (BEGIN DSA PRIVATE KEY).', 'DSA 私钥（BEGIN DSA PRIVATE KEY）。'), d('Remove the key and stop using DSA (disabled by default since OpenSSH 7.0); use ed25519 keys provided at runtime.', '删除该密钥并停止使用 DSA（OpenSSH 7.0 起默认禁用），改用运行时提供的 ed25519 密钥。')],
  ['rails_app_token', 'high', 'Rails App token', 'Rails 应用令牌', d('A literal Rails secret_token / secret_key_base, which allows cookie forgery.', '明文的 Rails secret_token / secret_key_base，可被用于伪造 Cookie。'), d('Generate a new secret_key_base, read it from the environment and rebuild.', '生成新的 secret_key_base，改为从环境变量读取，然后重新构建镜像。')],
  ['git_cred', 'high', 'Git user credentials', 'Git 用户凭据', d('A git credential store (.git-credentials) with passwords or tokens.', '保存了密码或令牌的 git 凭据存储文件（.git-credentials）。'), d('Revoke every token and password listed, delete .git-credentials from the image and use --mount=type=secret for private clones.', '吊销其中列出的所有令牌和密码，从镜像中删除 .git-credentials，克隆私有仓库时使用 --mount=type=secret。')],
  ['newrelic_api_key', 'medium', 'New Relic User API Key', 'New Relic 用户 API 密钥', TOKEN_DESC('A New Relic API key', 'New Relic API 密钥'), ROTATE],
  ['github_hub', 'critical', 'hub configuration that stores Github tokens', '存储 Github 令牌的 hub 配置', d('A hub CLI configuration (~/.config/hub) with a GitHub OAuth token.', '包含 GitHub OAuth 令牌的 hub 命令行配置（~/.config/hub）。'), d('Revoke the token in GitHub, delete ~/.config/hub from the image and rebuild.', '在 GitHub 中吊销该令牌，从镜像中删除 ~/.config/hub，然后重新构建镜像。')],
  ['rubygem', 'high', 'Rubygem token', 'Rubygem 令牌', TOKEN_DESC('A RubyGems API key (rubygems_)', 'RubyGems API 密钥（rubygems_）'), d('Revoke the key on rubygems.org, remove it from the image and rebuild.', '在 rubygems.org 吊销该密钥，将其从镜像中删除，然后重新构建镜像。')],
];

export const SENSITIVE_CATALOG: ReadonlyMap<string, CatalogEntry> = new Map(
  ROWS.map(([key, severity, en, zh, description, advice]) => [key, { key, severity, name: { en, zh }, description, advice }]),
);

/** Every catalog key in the seed's order. */
export const SENSITIVE_KEYS: readonly string[] = ROWS.map((r) => r[0]);

export interface SensitiveDescription {
  key: string;
  name: string;
  severity: Severity;
  description: string;
  advice: string;
}

/** Extra names for keys that user rules add (custom keys are not in the catalog). */
export interface CustomKeyInfo {
  key: string;
  name?: string;
  severity?: Severity;
  description?: string;
  advice?: string;
}

/** Name, severity, description and advice of a key in the requested language. */
export function describeSensitive(key: string, lang: Lang, custom?: readonly CustomKeyInfo[]): SensitiveDescription {
  const entry = SENSITIVE_CATALOG.get(key);
  if (entry) {
    return { key, name: entry.name[lang], severity: entry.severity, description: entry.description[lang], advice: entry.advice[lang] };
  }
  const c = custom?.find((x) => x.key === key);
  return {
    key,
    name: c?.name ?? key,
    severity: c?.severity ?? 'medium',
    description: c?.description ?? (lang === 'zh' ? '自定义规则命中的敏感信息。' : 'Sensitive content matched by a custom rule.'),
    advice: c?.advice ?? (lang === 'zh' ? '评估风险，删除镜像中的敏感内容并重新构建镜像。' : 'Assess the risk, remove the sensitive content from the image and rebuild.'),
  };
}
