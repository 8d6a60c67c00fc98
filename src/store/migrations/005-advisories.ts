/**
 * The advisory database. A source (one feed) is replaced whole in one transaction on import, so
 * readers see the old or the new feed, never half of one. advisory_packages is the match index:
 * (namespace, name) → advisories, used both to match an inventory and to find affected images.
 */
export const sql = `
CREATE TABLE advisory_sources (
  id text PRIMARY KEY,
  format text NOT NULL,
  location text NOT NULL,
  etag text,
  last_modified text,
  updated_at bigint NOT NULL,
  record_count integer NOT NULL
);

CREATE TABLE advisories (
  pk bigserial PRIMARY KEY,
  source_id text NOT NULL REFERENCES advisory_sources (id) ON DELETE CASCADE,
  id text NOT NULL,
  aliases text[] NOT NULL DEFAULT '{}',
  record jsonb NOT NULL
);
CREATE INDEX advisories_source ON advisories (source_id);
CREATE INDEX advisories_id ON advisories (id);
CREATE INDEX advisories_aliases ON advisories USING gin (aliases);

CREATE TABLE advisory_packages (
  advisory_pk bigint NOT NULL REFERENCES advisories (pk) ON DELETE CASCADE,
  namespace text NOT NULL,
  name text NOT NULL
);
CREATE INDEX advisory_packages_key ON advisory_packages (namespace, name);
CREATE INDEX advisory_packages_advisory ON advisory_packages (advisory_pk);

-- What re-matching needs without loading whole inventories: the OS and weak-identity markers.
ALTER TABLE manifests ADD COLUMN os jsonb;
ALTER TABLE manifest_packages ADD COLUMN evidence text;
ALTER TABLE manifest_packages ADD COLUMN epoch integer;
`;
