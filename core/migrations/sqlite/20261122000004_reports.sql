-- Subjects (the host's users), projects, effective-dated key mappings, allocated cost facts
-- and their rollups, budgets.

CREATE TABLE costledger_subjects (
    id          TEXT    PRIMARY KEY,
    email       TEXT,
    -- trimmed and lowercased; attribution by the key creator's email matches on it
    email_norm  TEXT,
    name        TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX costledger_subjects_email ON costledger_subjects (email_norm)
    WHERE email_norm IS NOT NULL;

CREATE TABLE costledger_projects (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_id  TEXT    NOT NULL REFERENCES costledger_subjects (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    is_default  INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    UNIQUE (subject_id, name)
);
CREATE UNIQUE INDEX costledger_projects_default ON costledger_projects (subject_id)
    WHERE is_default = 1;

-- (plan, api key) -> subject [, project] over [valid_from, valid_to).
CREATE TABLE costledger_key_mappings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id     INTEGER NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    api_key_id  TEXT    NOT NULL,
    subject_id  TEXT    NOT NULL REFERENCES costledger_subjects (id) ON DELETE CASCADE,
    project_id  INTEGER REFERENCES costledger_projects (id) ON DELETE SET NULL,
    valid_from  INTEGER NOT NULL,
    valid_to    INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX costledger_key_mappings_key ON costledger_key_mappings (plan_id, api_key_id, valid_from);

-- Every dollar of a plan, per hour and usage dimension: the bill allocated to keys (basis 1),
-- billed cost that matched no usage, spread over its day (basis 2), and estimates from the
-- price table (basis 3: tiers the bill leaves out, days not billed yet).
CREATE TABLE costledger_cost_facts (
    plan_id         INTEGER NOT NULL,
    hour            INTEGER NOT NULL,
    dim_id          INTEGER NOT NULL,
    basis           INTEGER NOT NULL,
    amount_nanos    INTEGER NOT NULL,
    PRIMARY KEY (plan_id, hour, dim_id, basis)
) WITHOUT ROWID;
CREATE INDEX costledger_cost_facts_dim ON costledger_cost_facts (plan_id, dim_id, hour);

-- The facts summed per UTC day: what the interior days of any period read.
CREATE TABLE costledger_cost_daily (
    plan_id         INTEGER NOT NULL,
    day             INTEGER NOT NULL,
    dim_id          INTEGER NOT NULL,
    basis           INTEGER NOT NULL,
    amount_nanos    INTEGER NOT NULL,
    PRIMARY KEY (plan_id, day, dim_id, basis)
) WITHOUT ROWID;

-- The facts summed per hour and workspace: daily series in any time zone.
CREATE TABLE costledger_cost_hourly_ws (
    plan_id         INTEGER NOT NULL,
    hour            INTEGER NOT NULL,
    workspace_id    TEXT    NOT NULL,
    basis           INTEGER NOT NULL,
    amount_nanos    INTEGER NOT NULL,
    PRIMARY KEY (plan_id, hour, workspace_id, basis)
) WITHOUT ROWID;

-- Usage summed per UTC day and dimension (tokens in reports).
CREATE TABLE costledger_usage_daily (
    plan_id             INTEGER NOT NULL,
    day                 INTEGER NOT NULL,
    dim_id              INTEGER NOT NULL,
    uncached_input      INTEGER NOT NULL,
    cache_write_5m      INTEGER NOT NULL,
    cache_write_1h      INTEGER NOT NULL,
    cache_read          INTEGER NOT NULL,
    output              INTEGER NOT NULL,
    web_search_requests INTEGER NOT NULL,
    PRIMARY KEY (plan_id, day, dim_id)
) WITHOUT ROWID;

-- Usage the price table has no price for (never counted as $0: reported as missing).
CREATE TABLE costledger_unpriced (
    plan_id         INTEGER NOT NULL,
    day             INTEGER NOT NULL,
    model           TEXT    NOT NULL,
    service_tier    TEXT    NOT NULL,
    context_window  TEXT    NOT NULL,
    tokens          INTEGER NOT NULL,
    PRIMARY KEY (plan_id, day, model, service_tier, context_window)
);

CREATE TABLE costledger_budgets (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT    NOT NULL,
    scope           TEXT    NOT NULL,
    plan_id         INTEGER,
    workspace_id    TEXT,
    subject_id      TEXT,
    project_id      INTEGER,
    amount_nanos    INTEGER NOT NULL,
    period          TEXT    NOT NULL,
    time_zone       TEXT    NOT NULL,
    thresholds      TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- A threshold crossed in one period of a budget, recorded once.
CREATE TABLE costledger_budget_alerts (
    budget_id       INTEGER NOT NULL REFERENCES costledger_budgets (id) ON DELETE CASCADE,
    period_start    INTEGER NOT NULL,
    threshold       INTEGER NOT NULL,
    spent_nanos     INTEGER NOT NULL,
    fired_at        INTEGER NOT NULL,
    PRIMARY KEY (budget_id, period_start, threshold)
);
