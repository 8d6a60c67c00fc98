/**
 * Registry authentication: parsing `WWW-Authenticate` challenges and getting bearer tokens
 * from the realm they name (the Docker token protocol, and its OAuth2 refresh-token form for
 * `identitytoken` credentials). Tokens are cached per realm, service and scope until shortly
 * before they expire.
 */
import type { RegistryCredentials } from './credentials.js';

export interface Challenge {
  /** Lower-case scheme: `basic` or `bearer`. */
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses `Bearer realm="https://auth/token",service="reg",scope="repository:a:pull"` (and
 * several challenges, comma separated or in several headers). Quoted values may hold commas.
 */
export function parseChallenges(value: string | string[] | undefined): Challenge[] {
  const headers = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const challenges: Challenge[] = [];
  for (const text of headers) {
    let i = 0;
    let current: Challenge | undefined;
    while (i < text.length) {
      while (i < text.length && /[\s,]/.test(text[i] as string)) i++;
      const tokenMatch = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(text.slice(i));
      if (!tokenMatch) break;
      const token = tokenMatch[0];
      i += token.length;
      let j = i;
      while (j < text.length && text[j] === ' ') j++;
      if (text[j] === '=') {
        // A parameter of the current challenge.
        j++;
        while (j < text.length && text[j] === ' ') j++;
        let val = '';
        if (text[j] === '"') {
          j++;
          while (j < text.length && text[j] !== '"') {
            if (text[j] === '\\' && j + 1 < text.length) j++;
            val += text[j];
            j++;
          }
          j++;
        } else {
          const m = /^[^,\s]*/.exec(text.slice(j));
          val = m ? m[0] : '';
          j += val.length;
        }
        if (current) current.params[token.toLowerCase()] = val;
        i = j;
      } else {
        current = { scheme: token.toLowerCase(), params: {} };
        challenges.push(current);
      }
    }
  }
  return challenges;
}

/** The challenge we can answer, bearer preferred. */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer' && c.params.realm) ?? challenges.find((c) => c.scheme === 'basic');
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Tokens per realm + service + scope. */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  constructor(private readonly now: () => number = Date.now) {}

  private key(challenge: Challenge, scope: string): string {
    return `${challenge.params.realm ?? ''}\u0000${challenge.params.service ?? ''}\u0000${scope}`;
  }

  get(challenge: Challenge, scope: string): string | undefined {
    const hit = this.tokens.get(this.key(challenge, scope));
    if (hit && hit.expiresAt > this.now()) return hit.token;
    return undefined;
  }

  set(challenge: Challenge, scope: string, token: string, expiresInSeconds: number): void {
    // Renew a little early so a token does not expire between lookup and use.
    const margin = Math.min(30, expiresInSeconds / 5);
    this.tokens.set(this.key(challenge, scope), { token, expiresAt: this.now() + (expiresInSeconds - margin) * 1000 });
  }

  delete(challenge: Challenge, scope: string): void {
    this.tokens.delete(this.key(challenge, scope));
  }
}

/** What to send to the token realm: a URL, and a form body for the OAuth2 refresh flow. */
export interface TokenRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export function tokenRequest(challenge: Challenge, scopes: string[], credentials: RegistryCredentials | undefined): TokenRequest {
  const url = new URL(challenge.params.realm as string);
  const service = challenge.params.service;
  if (credentials && 'identityToken' in credentials) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.identityToken, client_id: 'tarsier' });
    if (service) form.set('service', service);
    if (scopes.length > 0) form.set('scope', scopes.join(' '));
    return { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() };
  }
  if (service) url.searchParams.set('service', service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  const headers: Record<string, string> = {};
  if (credentials && 'password' in credentials) {
    url.searchParams.set('account', credentials.username);
    headers.authorization = basicAuthorization(credentials.username, credentials.password);
  }
  return { method: 'GET', url, headers };
}

/** The token and its lifetime from a token endpoint's JSON answer. */
export function parseTokenResponse(json: unknown): { token: string; expiresIn: number } | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const o = json as { token?: unknown; access_token?: unknown; expires_in?: unknown };
  const token = typeof o.token === 'string' && o.token !== '' ? o.token : typeof o.access_token === 'string' ? o.access_token : undefined;
  if (!token) return undefined;
  // The token spec says 60 seconds when the server does not say.
  const expiresIn = typeof o.expires_in === 'number' && o.expires_in > 0 ? o.expires_in : 60;
  return { token, expiresIn };
}
