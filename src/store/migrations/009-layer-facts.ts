/**
 * Layer facts shared by every worker: one row per (layer, analyzer version), so a layer is
 * analysed once however many images and workers (on any machine) want it. The on-disk layer
 * cache stays the first level; this is the level workers on one PostgreSQL share. `result` is the
 * analyzer's JSON (facts and touched paths), read whole, never queried inside.
 */
export const sql = `
CREATE TABLE layer_facts (
  layer_key text NOT NULL,
  analyzer text NOT NULL,
  result text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (layer_key, analyzer)
);
`;
