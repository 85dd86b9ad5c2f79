-- Usage without a price, per hour and usage dimension (it was per UTC day and model), so that a
-- report counts exactly the hours of its period, in any time zone, and per workspace.
CREATE TABLE costledger_unpriced_hourly (
    plan_id     INTEGER NOT NULL,
    hour        INTEGER NOT NULL,
    dim_id      INTEGER NOT NULL,
    tokens      INTEGER NOT NULL,
    PRIMARY KEY (plan_id, hour, dim_id)
) WITHOUT ROWID;

-- The days the per-day table held are marked stale (docs/sync.md, "Derived facts"): the next
-- sync or report derives them again, per hour, from the stored usage and the price table.
INSERT OR IGNORE INTO costledger_stale_days (plan_id, day, generation)
    SELECT DISTINCT plan_id, day, 0 FROM costledger_unpriced;
DROP TABLE costledger_unpriced;

-- A key-check value per master-key version (docs/security.md): a constant sealed under that
-- key, never the key. The current version is the one every credential is sealed with; opening
-- the ledger with another master key is refused before anything is sealed under it.
CREATE TABLE costledger_key_checks (
    key_id      TEXT    PRIMARY KEY,
    nonce       BLOB    NOT NULL,
    ciphertext  BLOB    NOT NULL,
    -- 1 for the version that seals now, NULL for versions rotated away.
    is_current  INTEGER CHECK (is_current = 1),
    created_at  INTEGER NOT NULL,
    retired_at  INTEGER
);
-- At most one current version: two processes recording different keys cannot both win.
CREATE UNIQUE INDEX costledger_key_checks_current ON costledger_key_checks (is_current);

-- When a disconnected plan's synced data was purged: adding its organisation again then makes a
-- new plan, while a plan whose data was kept is reconnected and continues its history.
ALTER TABLE costledger_plans ADD COLUMN purged_at INTEGER;
