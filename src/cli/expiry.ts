/** `--expires` values: a duration (`90m`, `12h`, `30d`, `2w`) from now, or an ISO 8601 date/time. */
import { TarsierError } from '../errors.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

export function parseExpiry(text: string, now = Date.now()): number {
  const m = /^(\d{1,6})([mhdw])$/.exec(text.trim());
  if (m) {
    const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
    if (ms <= 0) throw new TarsierError('usage', `--expires ${JSON.stringify(text)}: must be in the future`);
    return now + ms;
  }
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
    const t = Date.parse(text.trim());
    if (Number.isFinite(t)) {
      if (t <= now) throw new TarsierError('usage', `--expires ${text}: that time has passed`);
      return t;
    }
  }
  throw new TarsierError('usage', `--expires ${JSON.stringify(text)}: expected a duration such as 90m, 12h, 30d, 2w or an ISO date such as 2030-01-31`);
}
