-- Claude Code's local JSONL logs: the files a plan has read, the usage entries found in them,
-- and their hourly sums (which feed costledger_usage).

-- One row per log file a plan tracks: its identity, size and modification time when last
-- read, and how far it was parsed (the byte after the last complete line). AUTOINCREMENT:
-- entries keep the id of a file that was deleted, so an id must never be reused.
CREATE TABLE costledger_log_files (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id     INTEGER NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    path        TEXT    NOT NULL,
    project     TEXT    NOT NULL,
    device      INTEGER NOT NULL,
    inode       INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    parsed_to   INTEGER NOT NULL,
    -- Hash of the bytes just before parsed_to: an append keeps them, a rewrite does not.
    fingerprint INTEGER NOT NULL,
    lines       INTEGER NOT NULL,
    entries     INTEGER NOT NULL,
    malformed   INTEGER NOT NULL,
    too_long    INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX costledger_log_files_plan ON costledger_log_files (plan_id);

-- The (project, session) pairs of a plan's entries, stored once.
CREATE TABLE costledger_log_sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id     INTEGER NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    project     TEXT    NOT NULL,
    session     TEXT    NOT NULL,
    UNIQUE (plan_id, project, session)
);

-- The largest snapshot of each dedup group found in each file: (message_key, sidechain,
-- request_key, file_id) is unique per plan (the sync merges before it writes, under the plan's
-- lease). message_key and request_key are 64-bit hashes of message.id and requestId
-- (request_key is 0 for sidechain rows, which group by message alone, and a hash of the
-- instant for entries without a requestId); an entry without a message id gets a key of its
-- own from its file and offset. counted marks the rows the totals use: the winner of each
-- group across files. Rows are only inserted and deleted, in id order, so a sync that appends
-- entries appends rows. No foreign keys: the checks would cost a probe per row on the hot write
-- path.
--
-- Two partial indexes find a message's rows across files. New rows go to the small one
-- (indexed false): adding scattered message keys to the main one would dirty a page of it
-- per entry; once the small one holds enough rows, a sync moves them all into the main one.
CREATE TABLE costledger_log_entries (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL,
    message_key     INTEGER NOT NULL,
    sidechain       INTEGER NOT NULL,
    request_key     INTEGER NOT NULL,
    file_id         INTEGER NOT NULL,
    at_ms           INTEGER NOT NULL,
    session_ref     INTEGER NOT NULL,
    model           TEXT    NOT NULL,
    input           INTEGER NOT NULL,
    output          INTEGER NOT NULL,
    cache_read      INTEGER NOT NULL,
    cache_write_5m  INTEGER NOT NULL,
    cache_write_1h  INTEGER NOT NULL,
    web_searches    INTEGER NOT NULL,
    cost_usd_nanos  INTEGER,
    counted         INTEGER NOT NULL,
    indexed         INTEGER NOT NULL
);
CREATE INDEX costledger_log_entries_message
    ON costledger_log_entries (plan_id, message_key) WHERE indexed;
CREATE INDEX costledger_log_entries_recent
    ON costledger_log_entries (plan_id, message_key) WHERE NOT indexed;

-- Counted tokens per hour and model, kept up to date by deltas. dirty marks the hours not yet
-- copied into costledger_usage (a sync writes them right after committing the entries, and
-- a sync interrupted in between writes them the next time).
CREATE TABLE costledger_log_hours (
    plan_id         INTEGER NOT NULL,
    hour            INTEGER NOT NULL,
    model           TEXT    NOT NULL,
    entries         INTEGER NOT NULL,
    input           INTEGER NOT NULL,
    output          INTEGER NOT NULL,
    cache_read      INTEGER NOT NULL,
    cache_write_5m  INTEGER NOT NULL,
    cache_write_1h  INTEGER NOT NULL,
    web_searches    INTEGER NOT NULL,
    dirty           INTEGER NOT NULL,
    PRIMARY KEY (plan_id, hour, model)
) WITHOUT ROWID;
