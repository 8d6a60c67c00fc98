/**
 * Garbage collection of content-addressed analyses (jobs/gc.ts). A manifest no image reference
 * points to is first marked, and deleted only once it has stayed unreferenced for a grace period,
 * so a scan that has saved an analysis but not yet pointed its reference at it is never robbed.
 * The mark goes with the manifest row: re-saving an analysis (a new scan, an upload) deletes and
 * re-inserts the manifest, which clears its mark and restarts the clock.
 */
export const sql = `
CREATE TABLE gc_marks (
  manifest_digest text PRIMARY KEY REFERENCES manifests (digest) ON DELETE CASCADE,
  marked_at bigint NOT NULL
);
CREATE INDEX gc_marks_marked_at ON gc_marks (marked_at);
`;
