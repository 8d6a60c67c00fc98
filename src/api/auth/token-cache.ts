/**
 * Verified tokens, remembered for a few seconds: without it every request pays a store round trip
 * before its own query (a third of the sensitive endpoint's database statements in the API
 * benchmark). Only successful verifications are kept, so a token revoked or expired before its
 * first use is refused at once; one revoked (by `tarsier token revoke`, another process) while in
 * use stops working within TTL_MS. Keyed by the token's SHA-256, never the token itself.
 */
import { hashToken, type Principal } from '../../store/projects-repo.js';

export const TOKEN_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

export class TokenCache {
  private readonly entries = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly ttlMs = TOKEN_CACHE_TTL_MS) {}

  get(token: string, now: number): Principal | undefined {
    const key = hashToken(token);
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.principal;
  }

  set(token: string, principal: Principal, now: number): void {
    // Bounded: past the cap the oldest entry goes (Map keeps insertion order).
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hashToken(token), { principal, until: now + this.ttlMs });
  }
}
