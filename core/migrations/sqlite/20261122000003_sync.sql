-- Sync leases, sync events, and Claude Code analytics.

-- One row per plan being synced. A worker takes the lease with a conditional upsert that only
-- succeeds when no lease exists or the existing one has expired, renews it while it works and
-- deletes it at the end; a crashed worker's lease simply expires. Instants in milliseconds.
CREATE TABLE costledger_sync_leases (
    plan_id         INTEGER PRIMARY KEY,
    holder          TEXT    NOT NULL,
    lease_until_ms  INTEGER NOT NULL,
    acquired_at_ms  INTEGER NOT NULL
);

-- What each sync did, per plan and stream.
CREATE TABLE costledger_sync_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id         INTEGER NOT NULL,
    stream          TEXT    NOT NULL,
    started_at_ms   INTEGER NOT NULL,
    finished_at_ms  INTEGER NOT NULL,
    status          TEXT    NOT NULL,
    window_start    INTEGER,
    window_end      INTEGER,
    buckets_written INTEGER NOT NULL,
    rows_written    INTEGER NOT NULL,
    requests        INTEGER NOT NULL,
    retries         INTEGER NOT NULL,
    error_code      TEXT,
    error_message   TEXT
);
CREATE INDEX costledger_sync_events_plan ON costledger_sync_events (plan_id, id);

-- Claude Code analytics: one row per day, actor and terminal; per-model tokens beside it.
CREATE TABLE costledger_claude_code (
    plan_id             INTEGER NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    day                 INTEGER NOT NULL,
    actor_type          TEXT    NOT NULL,
    actor_id            TEXT    NOT NULL,
    terminal_type       TEXT    NOT NULL,
    customer_type       TEXT,
    subscription_type   TEXT,
    num_sessions        INTEGER NOT NULL,
    lines_added         INTEGER NOT NULL,
    lines_removed       INTEGER NOT NULL,
    commits             INTEGER NOT NULL,
    pull_requests       INTEGER NOT NULL,
    tool_actions        TEXT    NOT NULL,
    PRIMARY KEY (plan_id, day, actor_type, actor_id, terminal_type)
);

CREATE TABLE costledger_claude_code_models (
    plan_id                 INTEGER NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    day                     INTEGER NOT NULL,
    actor_type              TEXT    NOT NULL,
    actor_id                TEXT    NOT NULL,
    terminal_type           TEXT    NOT NULL,
    model                   TEXT    NOT NULL,
    input_tokens            INTEGER NOT NULL,
    output_tokens           INTEGER NOT NULL,
    cache_read_tokens       INTEGER NOT NULL,
    cache_creation_tokens   INTEGER NOT NULL,
    estimated_cost_nanos    INTEGER NOT NULL,
    PRIMARY KEY (plan_id, day, actor_type, actor_id, terminal_type, model)
);
