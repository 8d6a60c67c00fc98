/**
 * BCR-021 (image not signed) is a verdict about a reference, not a digest: signatures live in a
 * repository (referrers API, cosign `sha256-<hex>.sig` tag), so one digest promoted from an
 * unsigned dev repository to a signed prod repository is unsigned in one and signed in the other.
 * `signed`: true / false as the registry answered, null while no lookup answered (unknown).
 * BCR-021 rows stored per digest until now become the verdict of every reference to that digest
 * (what the listings showed), corrected by each reference's next scan.
 */
export const sql = `
ALTER TABLE images ADD COLUMN signed boolean;
ALTER TABLE images ADD COLUMN signature_checked_at bigint;
UPDATE images i SET signed = false, signature_checked_at = i.latest_scan_time
  WHERE EXISTS (SELECT 1 FROM build_risks b WHERE b.manifest_digest = i.digest AND b.rule_id = 'BCR-021');
DELETE FROM build_risks WHERE rule_id = 'BCR-021';
`;
