/**
 * Re-match support.
 * - vuln_match_hashes: per manifest, a hash of the findings the matcher last wrote, so a re-match
 *   after a database update rewrites only the manifests whose findings changed (reading the stored
 *   findings back to compare cost more than rewriting them). Any other write of a manifest's
 *   findings forgets the hash (statement triggers below), so a hash never vouches for rows it did
 *   not describe; re-saving a manifest drops it through the cascade.
 * - manifest_packages.modularity_label: re-matching rpm packages from the package index must know
 *   a module stream build from the base package, as a scan does.
 */
export const sql = `
CREATE TABLE vuln_match_hashes (
  manifest_digest text PRIMARY KEY REFERENCES manifests (digest) ON DELETE CASCADE,
  findings_hash text NOT NULL
);

CREATE FUNCTION vuln_findings_forget_hash() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    DELETE FROM vuln_match_hashes h WHERE h.manifest_digest IN (SELECT manifest_digest FROM changed_new);
  ELSE
    DELETE FROM vuln_match_hashes h WHERE h.manifest_digest IN (SELECT manifest_digest FROM changed_old);
  END IF;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER vuln_findings_insert_forgets_hash AFTER INSERT ON vuln_findings
  REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION vuln_findings_forget_hash();
CREATE TRIGGER vuln_findings_update_forgets_hash AFTER UPDATE ON vuln_findings
  REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION vuln_findings_forget_hash();
CREATE TRIGGER vuln_findings_delete_forgets_hash AFTER DELETE ON vuln_findings
  REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION vuln_findings_forget_hash();

ALTER TABLE manifest_packages ADD COLUMN modularity_label text;
`;
