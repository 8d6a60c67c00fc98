/** SaaS API tokens: fixed-prefix tokens first, keyword-anchored ones with an entropy floor. */
import { maskSecret } from '../mask.js';
import { assign, B, ci, ciAny } from './helpers.js';
import type { ContentRule } from './types.js';

function prefixed(id: string, key: string, keywords: string[], body: string, prefix: number, extra: Partial<ContentRule> = {}): ContentRule {
  return {
    id,
    key,
    keywords,
    pattern: new RegExp(`${B}(?<secret>${body})(?![A-Za-z0-9_-])`),
    before: 1,
    after: 320,
    publicPrefix: prefix,
    ...extra,
  };
}

/** `<keyword>… = <value>`: the vendor name must be in the variable name; value shape and entropy decide. */
function named(id: string, key: string, keywords: string[], value: string, extra: Partial<ContentRule> = {}): ContentRule {
  return {
    id,
    key,
    keywords,
    pattern: assign(ciAny(keywords), value),
    before: 0,
    after: 200,
    entropy: 3.0,
    inConfig: true,
    // Vendor secrets are random: a value without a digit is a word or an identifier.
    validate: (v) => /[0-9]/.test(v),
    ...extra,
  };
}

const slack: ContentRule[] = [
  prefixed('slack-token', 'slack_token', ['xoxb-', 'xoxp-', 'xoxa-', 'xoxr-', 'xoxs-', 'xoxo-'], 'xox[bparso]-[0-9]{6,15}-[0-9A-Za-z-]{8,250}', 5, {
    entropy: 3.0,
    validate: (s) => ({ detail: `Slack ${s.slice(0, 4)} token` }),
  }),
  prefixed('slack-config-token', 'slack_token', ['xoxe.xox', 'xoxe-'], 'xoxe(?:\\.xox[bp])?-[0-9]-[A-Za-z0-9]{100,260}', 5, { entropy: 3.0, validate: () => ({ detail: 'Slack configuration token' }) }),
  prefixed('slack-app-token', 'slack_token', ['xapp-'], 'xapp-[0-9]{1,15}-[A-Za-z0-9/+-]{20,150}', 5, { validate: () => ({ detail: 'Slack app-level token' }) }),
  {
    id: 'slack-webhook',
    key: 'slack_token',
    keywords: ['hooks.slack.com/'],
    pattern: /hooks\.slack\.com\/(?:services|workflows|triggers)\/(?<secret>T[A-Z0-9]{6,12}\/[A-Z0-9]{6,12}\/[A-Za-z0-9/]{20,80})(?![A-Za-z0-9/])/,
    before: 0,
    after: 130,
    entropy: 3.0,
    validate: (s) => ({ masked: `hooks.slack.com/services/${maskSecret(s, 1)}`, detail: 'incoming webhook URL' }),
  },
];

/** Stripe's documentation keys: published, so not a leak. */
const STRIPE_DOCS = [/^sk_test_(?:4eC39HqLyjWDarjtT1zdp7dc|BQokikJOvBiI2HlWgH4olfQ2|26PHem9AhJZvU623DfE1x4sd)$/, /^pk_test_(?:TYooMQauvdEDq54NiTphI7jx|6pRNASCoBOKtIshFeQd4XMUh)$/];

const stripe = prefixed('stripe-key', 'stripe_skpk', ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_', 'pk_live_', 'pk_test_'], '[spr]k_(?:live|test)_[A-Za-z0-9]{24,247}', 8, {
  allow: STRIPE_DOCS,
  validate(s) {
    // Publishable keys are embedded in web pages by design: not a leak.
    if (s.startsWith('pk_')) return false;
    if (s.includes('_test_')) return { severity: 'medium', detail: 'test-mode key' };
    return { detail: s.startsWith('rk_') ? 'restricted live key' : 'live secret key' };
  },
});

const square: ContentRule[] = [
  prefixed('square-access-token', 'square_token', ['sq0atp-'], 'sq0atp-[0-9A-Za-z_-]{22}', 7),
  // `EAAA` alone is too short a prefix (it occurs in base64 data): the window must name Square.
  prefixed('square-access-token-v2', 'square_token', ['eaaa'], 'EAAA[A-Za-z0-9_+=-]{60}', 4, { entropy: 3.5, before: 120, requires: ['square'] }),
  prefixed('square-oauth-secret', 'square_oauth', ['sq0csp-', 'sandbox-sq0csb-'], '(?:sandbox-)?sq0cs[pb]-[0-9A-Za-z_-]{43}', 7),
];

const grafana: ContentRule[] = [
  prefixed('grafana-api-key', 'grafana_token', ['eyjrijoi'], 'eyJrIjoi[A-Za-z0-9+/]{70,400}={0,2}', 8, { entropy: 3.0 }),
  prefixed('grafana-cloud-token', 'grafana_token', ['glc_'], 'glc_[A-Za-z0-9+/]{32,400}={0,2}', 4, { entropy: 3.0 }),
  prefixed('grafana-service-account-token', 'grafana_token', ['glsa_'], 'glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}', 5, { entropy: 3.0 }),
  {
    // grafana.ini: a non-default admin password or secret key.
    id: 'grafana-ini-secret',
    key: 'grafana_token',
    keywords: ['admin_password', 'secret_key'],
    paths: ['**/grafana.ini', '**/grafana/*.ini'],
    pattern: /^[ \t]{0,8}(?:admin_password|secret_key)[ \t]{0,8}=[ \t]{0,8}(?<secret>[^\s;#]{4,200})/m,
    before: 20,
    after: 220,
    generic: true,
    allow: [/^admin$/, /^SW2YcwTIb9zpOOhoPsMm$/],
    validate: () => ({ detail: 'grafana.ini admin password / secret key' }),
  },
];

const others: ContentRule[] = [
  prefixed('dynatrace-token', 'dynatrace_token', ['dt0c01.'], 'dt0c01\\.[A-Za-z0-9]{24}\\.[A-Za-z0-9]{64}', 7, { entropy: 3.5 }),
  prefixed('newrelic-user-key', 'newrelic_api_key', ['nrak-'], 'NRAK-[A-Z0-9]{27}', 5),
  prefixed('newrelic-browser-key', 'newrelic_api_key', ['nrjs-'], 'NRJS-[a-f0-9]{19}', 5, { severity: 'low', validate: () => ({ detail: 'browser API token' }) }),
  prefixed('newrelic-insert-key', 'newrelic_api_key', ['nrii-'], 'NRII-[A-Za-z0-9_-]{32}', 5, { validate: () => ({ detail: 'insights insert key' }) }),
  {
    id: 'newrelic-license-key',
    key: 'newrelic_api_key',
    keywords: ['nral'],
    pattern: /(?<![A-Za-z0-9])(?<secret>[a-f0-9]{36}NRAL)(?![A-Za-z0-9])/,
    before: 37,
    after: 1,
    entropy: 3.0,
    validate: () => ({ detail: 'license key' }),
  },
  {
    id: 'newrelic-config-license',
    key: 'newrelic_api_key',
    keywords: ['license_key', 'licensekey', 'license-key'],
    paths: ['**/newrelic.yml', '**/newrelic.ini', '**/newrelic.js', '**/newrelic.config'],
    pattern: /(?:license_key|licenseKey|license-key)["']?\s{0,4}[:=]\s{0,4}["']?(?<secret>[A-Za-z0-9]{40})(?![A-Za-z0-9])/,
    before: 0,
    after: 80,
    entropy: 3.0,
    validate: () => ({ detail: 'license key' }),
  },
  named('fastly-api-token', 'fastly_cdn_token', ['fastly'], '[A-Za-z0-9_=-]{32}(?![A-Za-z0-9_=-])', { entropy: 3.5 }),
  named('discord-client-secret', 'discord_client_cred', ['discord'], '(?:[a-f0-9]{64}|[A-Za-z0-9=_-]{32}|[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38})(?![A-Za-z0-9=_-])', { entropy: 3.3 }),
  {
    id: 'discord-webhook',
    key: 'discord_client_cred',
    keywords: ['discord.com/api/webhooks/', 'discordapp.com/api/webhooks/'],
    pattern: /discord(?:app)?\.com\/api\/webhooks\/[0-9]{17,20}\/(?<secret>[A-Za-z0-9_-]{60,68})(?![A-Za-z0-9_-])/,
    before: 10,
    after: 140,
    entropy: 3.0,
    validate: () => ({ detail: 'webhook URL' }),
  },
  named('finicity-token', 'finicity_token', ['finicity'], '(?:[a-f0-9]{32}|[a-z0-9]{20})(?![A-Za-z0-9])'),
  {
    id: 'typeform-token',
    key: 'typeform_token',
    keywords: ['tfp_'],
    pattern: new RegExp(`${B}(?<secret>tfp_[A-Za-z0-9_.=-]{40,59})(?![A-Za-z0-9_.=-])`),
    before: 200,
    after: 64,
    entropy: 3.5,
    publicPrefix: 4,
    // `tfp_` also starts identifiers; a real token mixes cases and digits.
    validate: (s, m) => /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s) && (/typeform/i.test(m.input) || /^tfp_[A-Za-z0-9]{40,}/.test(s)),
  },
  {
    id: 'contentful-token',
    key: 'contentful_delivery_token',
    keywords: ['contentful'],
    pattern: new RegExp(`${ci('contentful')}[\\w.-]{0,30}?["'\\]]{0,2}\\s{0,4}(?:=>|:=|=|:)\\s{0,4}["'\`]?(?<secret>[A-Za-z0-9=_-]{43})(?![A-Za-z0-9=_-])`),
    before: 0,
    after: 130,
    entropy: 3.5,
    inConfig: true,
    validate: (_s, m) => (/preview/i.test(m[0]) ? { key: 'contentful_preview_token', detail: 'Content Preview API token' } : { detail: 'Content Delivery API token' }),
  },
  prefixed('contentful-management-token', 'contentful_delivery_token', ['cfpat-'], 'CFPAT-[A-Za-z0-9_-]{43}', 6, { severity: 'high', validate: () => ({ detail: 'Content Management personal access token' }) }),
  named('asana-client-secret', 'asana_client_private_key', ['asana'], '(?:[a-z0-9]{32}|[0-9]/[0-9]{16,20}(?:/[0-9]{16,20})?:[A-Za-z0-9]{32,64})(?![A-Za-z0-9])'),
  prefixed('atlassian-api-token', 'atlassian_token', ['atatt3', 'atctt3'], 'AT[AC]TT3[A-Za-z0-9_=-]{180,200}', 6, { entropy: 3.5 }),
  named('atlassian-legacy-token', 'atlassian_token', ['atlassian', 'jira', 'confluence'], '[A-Za-z0-9]{24}(?![A-Za-z0-9])', { entropy: 3.5, generic: true }),
  named('mailgun-signing-key', 'mailgun_key', ['mailgun'], '[a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8}(?![a-h0-9])'),
  prefixed('mailgun-private-key', 'mailgun_private_token', ['key-'], 'key-[0-9a-f]{32}', 4, { entropy: 3.0 }),
  {
    id: 'mailchimp-api-key',
    key: 'mailchimp_api_key',
    keywords: ['-us'],
    pattern: /(?<![A-Za-z0-9])(?<secret>[0-9a-f]{32}-us[0-9]{1,2})(?![A-Za-z0-9])/,
    before: 33,
    after: 3,
    entropy: 3.0,
  },
  prefixed('sendinblue-api-key', 'sendinblue', ['xkeysib-', 'xsmtpsib-'], 'x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}', 8),
  named('messagebird-token', 'messagebird_token', ['messagebird', 'message_bird', 'message-bird'], '[A-Za-z0-9]{25}(?![A-Za-z0-9])', { entropy: 3.3 }),
  {
    id: 'lob-api-key',
    key: 'lob_api_key',
    keywords: ['lob'],
    requires: ['live_', 'test_'],
    pattern: new RegExp(`${ci('lob')}[\\w.-]{0,20}?["'\\]]{0,2}\\s{0,4}(?:=>|:=|=|:)\\s{0,4}["'\`]?(?<secret>(?:live|test)_(?:pub_)?[a-f0-9]{31,35})(?![a-f0-9])`),
    before: 0,
    after: 100,
    entropy: 3.0,
    publicPrefix: 5,
    inConfig: true,
    validate: (s) => (s.includes('_pub_') ? { severity: 'low', detail: 'publishable key' } : s.startsWith('test_') ? { severity: 'low', detail: 'test key' } : true),
  },
  prefixed('planetscale-token', 'planetscale_token', ['pscale_tkn_', 'pscale_oauth_'], 'pscale_(?:tkn|oauth)_[A-Za-z0-9_=.-]{32,64}', 11, { entropy: 3.0 }),
  prefixed('planetscale-password', 'planetscale_passwd', ['pscale_pw_'], 'pscale_pw_[A-Za-z0-9_=.-]{32,64}', 10, { entropy: 3.0 }),
  {
    id: 'salesforce-access-token',
    key: 'salesforce',
    keywords: ['00d'],
    requires: ['!'],
    pattern: /(?<![A-Za-z0-9])(?<secret>00D[A-Za-z0-9]{12,15}![A-Za-z0-9_.]{80,120})(?![A-Za-z0-9_.])/,
    before: 1,
    after: 140,
    entropy: 3.5,
    publicPrefix: 3,
  },
  {
    id: 'salesforce-sfdx-auth-url',
    key: 'salesforce',
    keywords: ['force://'],
    pattern: /force:\/\/[A-Za-z0-9_.]{3,200}:[A-Za-z0-9]{0,100}:(?<secret>[A-Za-z0-9_.]{40,200})@[\w.-]{3,200}/,
    before: 0,
    after: 520,
    entropy: 3.0,
    validate: () => ({ masked: 'force://****', detail: 'SFDX auth URL with a refresh token' }),
  },
  named('salesforce-password-env', 'salesforce', ['sf_password', 'sf_security_token', 'sfdc_password', 'salesforce_password'], '[^\\s\'"]{8,128}', { generic: true, validate: () => true }),
];

export const saasContentRules: ContentRule[] = [...slack, stripe, ...square, ...grafana, ...others];
