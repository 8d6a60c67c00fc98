/**
 * Replay protection for signed Alibaba requests: each (access key, SignatureNonce) is accepted once
 * within the time a signed request stays valid. A request is valid while its timestamp is within
 * ±window of now, so a nonce must be remembered for 2 × window after it was first seen.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../../store/open-store.js';

export class NonceLedger {
  private lastPrune = 0;
  readonly retentionMs: number;

  constructor(
    private readonly store: Store,
    windowMs: number,
    private readonly pruneEveryMs = 60_000,
  ) {
    this.retentionMs = 2 * windowMs + 60_000;
  }

  /** True when the nonce is new (and is now recorded); false when it was used already. */
  async claim(accessKeyId: string, nonce: string, now = Date.now()): Promise<boolean> {
    // Hashed: fixed-size keys whatever the client sends, and keys of different AKs cannot collide.
    const key = createHash('sha256').update(accessKeyId).update('\0').update(nonce).digest('base64url');
    const cutoff = now - this.retentionMs;
    // A row older than the retention is as good as pruned: reusing its nonce is allowed.
    const rows = await this.store.query<{ nonce: string }>(
      `INSERT INTO request_nonces (nonce, seen_at) VALUES ($1, $2)
       ON CONFLICT (nonce) DO UPDATE SET seen_at = EXCLUDED.seen_at WHERE request_nonces.seen_at < $3
       RETURNING nonce`,
      [key, now, cutoff],
    );
    if (now - this.lastPrune >= this.pruneEveryMs) {
      this.lastPrune = now;
      await this.store.query('DELETE FROM request_nonces WHERE seen_at < $1', [cutoff]);
    }
    return rows.length === 1;
  }
}
