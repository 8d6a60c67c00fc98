/**
 * API credentials: access keys (AK/SK for signed requests) get the same enterprise-project scope
 * as tokens, a description, and a last-used time (written at most every few minutes).
 */
export const sql = `
ALTER TABLE access_keys ADD COLUMN enterprise_projects text[] NOT NULL DEFAULT '{}';
ALTER TABLE access_keys ADD COLUMN description text;
ALTER TABLE access_keys ADD COLUMN last_used_at bigint;
CREATE INDEX access_keys_project ON access_keys (project_id);
CREATE INDEX api_tokens_project ON api_tokens (project_id);
`;
