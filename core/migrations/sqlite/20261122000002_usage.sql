-- Synced usage, billed cost and organisation metadata.
-- A null API key (Console usage) or workspace (the Default workspace) is stored as '' so that
-- it takes part in keys and indexes; the library maps it back to "none".

-- Each distinct combination of usage dimensions of a plan, stored once.
CREATE TABLE costledger_usage_dims (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id         INTEGER NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    api_key_id      TEXT    NOT NULL,
    workspace_id    TEXT    NOT NULL,
    model           TEXT    NOT NULL,
    service_tier    TEXT    NOT NULL,
    context_window  TEXT    NOT NULL,
    UNIQUE (plan_id, api_key_id, workspace_id, model, service_tier, context_window)
);

-- Usage buckets. width is the bucket width in seconds (3600 or 86400). dim_id has no foreign
-- key on purpose: the check would cost an index probe per row on the hot write path, and rows
-- are only ever deleted together with their plan's dims.
CREATE TABLE costledger_usage (
    plan_id             INTEGER NOT NULL,
    width               INTEGER NOT NULL,
    bucket_start        INTEGER NOT NULL,
    dim_id              INTEGER NOT NULL,
    uncached_input      INTEGER NOT NULL,
    cache_write_5m      INTEGER NOT NULL,
    cache_write_1h      INTEGER NOT NULL,
    cache_read          INTEGER NOT NULL,
    output              INTEGER NOT NULL,
    web_search_requests INTEGER NOT NULL,
    PRIMARY KEY (plan_id, width, bucket_start, dim_id)
) WITHOUT ROWID;

-- Billed cost, one row per day and cost line of the provider's cost report.
CREATE TABLE costledger_costs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id         INTEGER NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    bucket_start    INTEGER NOT NULL,
    workspace_id    TEXT    NOT NULL,
    cost_type       TEXT    NOT NULL,
    model           TEXT    NOT NULL,
    service_tier    TEXT    NOT NULL,
    context_window  TEXT    NOT NULL,
    token_type      TEXT    NOT NULL,
    inference_geo   TEXT    NOT NULL,
    description     TEXT,
    amount_nanos    INTEGER NOT NULL
);
CREATE INDEX costledger_costs_plan_day ON costledger_costs (plan_id, bucket_start);

-- Watermarks: per plan and stream, the end of the last complete bucket committed.
CREATE TABLE costledger_sync_state (
    plan_id     INTEGER NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    stream      TEXT    NOT NULL,
    watermark   INTEGER NOT NULL,
    first_start INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (plan_id, stream)
);

CREATE TABLE costledger_workspaces (
    plan_id         INTEGER NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    workspace_id    TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    display_color   TEXT,
    created_at      INTEGER,
    archived_at     INTEGER,
    PRIMARY KEY (plan_id, workspace_id)
);

CREATE TABLE costledger_api_keys (
    plan_id             INTEGER NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    api_key_id          TEXT    NOT NULL,
    name                TEXT    NOT NULL,
    workspace_id        TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    created_at          INTEGER,
    created_by_id       TEXT,
    created_by_type     TEXT,
    partial_key_hint    TEXT,
    expires_at          INTEGER,
    PRIMARY KEY (plan_id, api_key_id)
);

CREATE TABLE costledger_org_users (
    plan_id     INTEGER NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    user_id     TEXT    NOT NULL,
    email       TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    added_at    INTEGER,
    PRIMARY KEY (plan_id, user_id)
);
CREATE INDEX costledger_org_users_email ON costledger_org_users (email);
