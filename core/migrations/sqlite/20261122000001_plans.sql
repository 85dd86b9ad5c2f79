-- Plan connections and their sealed credentials.
-- Instants are Unix seconds (UTC) on both backends, so one set of queries serves both.

CREATE TABLE costledger_plans (
    -- AUTOINCREMENT: ids are never reused, so a purged plan's id cannot come back.
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    provider                TEXT    NOT NULL,
    label                   TEXT    NOT NULL,
    status                  TEXT    NOT NULL CHECK (status IN ('active', 'disconnected', 'error')),
    key_hint                TEXT,
    org_id                  TEXT,
    org_name                TEXT,
    settings                TEXT    NOT NULL DEFAULT '{}',
    sub_tier                TEXT,
    sub_seats               INTEGER,
    sub_seat_price_nanos    INTEGER,
    sub_cycle               TEXT,
    sub_anchor_date         TEXT,
    sub_currency            TEXT,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    last_synced_at          INTEGER,
    last_error              TEXT
);

-- Labels are unique among plans that are not disconnected; the database enforces it so that
-- two concurrent adds cannot both win.
CREATE UNIQUE INDEX costledger_plans_live_label
    ON costledger_plans (label) WHERE status <> 'disconnected';

-- One live plan per provider organisation.
CREATE UNIQUE INDEX costledger_plans_live_org
    ON costledger_plans (provider, org_id) WHERE status <> 'disconnected' AND org_id IS NOT NULL;

-- The sealed credential of a plan. Deleting the row destroys the credential.
CREATE TABLE costledger_credentials (
    plan_id     INTEGER PRIMARY KEY REFERENCES costledger_plans (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    key_id      TEXT    NOT NULL,
    nonce       BLOB    NOT NULL,
    ciphertext  BLOB    NOT NULL,
    updated_at  INTEGER NOT NULL
);
