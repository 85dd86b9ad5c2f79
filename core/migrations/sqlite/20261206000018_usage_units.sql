-- Usage that is not tokens (OpenAI images, speech characters, transcription seconds, file
-- search calls, code interpreter sessions, vector storage bytes), bucketed like the token
-- usage and replaced with it page by page. '' stands for a dimension that is absent or null.
-- unit is the stored name of costledger's UsageUnit; variant is what else sets the price
-- (an image's size/source) or names the thing (a file search's vector store).
CREATE TABLE costledger_usage_units (
    plan_id         INTEGER NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    width           INTEGER NOT NULL,
    bucket_start    INTEGER NOT NULL,
    workspace_id    TEXT    NOT NULL,
    api_key_id      TEXT    NOT NULL,
    actor_id        TEXT    NOT NULL,
    model           TEXT    NOT NULL,
    unit            TEXT    NOT NULL,
    variant         TEXT    NOT NULL,
    requests        INTEGER NOT NULL,
    quantity        INTEGER NOT NULL,
    PRIMARY KEY (plan_id, width, bucket_start, workspace_id, api_key_id, actor_id, model, unit, variant)
) WITHOUT ROWID;
