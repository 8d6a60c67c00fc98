/**
 * Advisory import speed. Measured on the real feeds (80,000 advisories): the per-row foreign-key
 * triggers of advisories → advisory_sources and advisory_packages → advisories were about a third
 * of the insert time, and building jsonb from each record another sixth. Only importSource writes
 * these tables and it deletes a source's rows itself, in the same transaction that re-inserts
 * them, so the constraints guarded nothing the code does not already do. The record is stored as
 * the JSON text the importer wrote (nothing queries inside it; readers JSON.parse it). The GIN
 * index on advisories.aliases was read by no query and cost a quarter of the server's insert time;
 * a lookup by alias should bring its index back with it. (Images affected by a vulnerability are
 * found through vuln_findings and its own alias index, not here.)
 */
export const sql = `
ALTER TABLE advisory_packages DROP CONSTRAINT IF EXISTS advisory_packages_advisory_pk_fkey;
ALTER TABLE advisories DROP CONSTRAINT IF EXISTS advisories_source_id_fkey;
ALTER TABLE advisories ALTER COLUMN record TYPE text USING record::text;
DROP INDEX IF EXISTS advisories_aliases;
`;
