-- The actor of usage: the org member who made the requests, when the provider says (OpenAI's
-- user_id), '' otherwise. It is a dimension like the key, so it joins the unique key; SQLite
-- cannot alter a UNIQUE constraint, so the table is rebuilt keeping every id (usage, facts
-- and rollups refer to dims by id; no foreign key points at this table).
CREATE TABLE costledger_usage_dims_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id         INTEGER NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    api_key_id      TEXT    NOT NULL,
    workspace_id    TEXT    NOT NULL,
    model           TEXT    NOT NULL,
    service_tier    TEXT    NOT NULL,
    context_window  TEXT    NOT NULL,
    actor_id        TEXT    NOT NULL DEFAULT '',
    UNIQUE (plan_id, api_key_id, workspace_id, model, service_tier, context_window, actor_id)
);
INSERT INTO costledger_usage_dims_new
    (id, plan_id, api_key_id, workspace_id, model, service_tier, context_window, actor_id)
    SELECT id, plan_id, api_key_id, workspace_id, model, service_tier, context_window, ''
    FROM costledger_usage_dims;
-- Ids are never reused: the new table continues the old one's sequence.
UPDATE sqlite_sequence
    SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'costledger_usage_dims')
    WHERE name = 'costledger_usage_dims_new'
    AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'costledger_usage_dims');
DROP TABLE costledger_usage_dims;
ALTER TABLE costledger_usage_dims_new RENAME TO costledger_usage_dims;
