-- Days whose derived cost facts (facts, rollups, unpriced usage) no longer match the raw usage
-- and cost they are computed from (docs/sync.md, "Derived facts").
--
-- Every write that changes a day's raw usage or cost, or whether the day is billed, marks the
-- day here in the same transaction, with a new generation. Deriving a day writes its facts and
-- deletes its mark in one transaction, and only if the mark still has the generation read
-- before the raw data was: a write that raced with the derivation leaves its mark in place.
CREATE TABLE costledger_stale_days (
    plan_id     INTEGER NOT NULL,
    -- the day's first instant, Unix seconds (UTC midnight)
    day         INTEGER NOT NULL,
    generation  INTEGER NOT NULL,
    PRIMARY KEY (plan_id, day)
) WITHOUT ROWID;

-- Where generations come from: one counter, bumped by each marking transaction (SQLite runs
-- one write transaction at a time, so it is never contended).
CREATE TABLE costledger_stale_generation (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    value   INTEGER NOT NULL
);
INSERT INTO costledger_stale_generation (id, value) VALUES (1, 0);

-- Days a sync committed but never derived (a first sync interrupted before its allocation):
-- raw rows without any daily rollup. They are derived by the next sync or report.
INSERT INTO costledger_stale_days (plan_id, day, generation)
SELECT plan_id, day, 0 FROM (
    SELECT plan_id, bucket_start - bucket_start % 86400 AS day FROM costledger_usage
    GROUP BY 1, 2
    UNION
    SELECT plan_id, bucket_start - bucket_start % 86400 AS day FROM costledger_costs
    GROUP BY 1, 2
) raw
WHERE NOT EXISTS (
    SELECT 1 FROM costledger_usage_daily u WHERE u.plan_id = raw.plan_id AND u.day = raw.day
) AND NOT EXISTS (
    SELECT 1 FROM costledger_cost_daily c WHERE c.plan_id = raw.plan_id AND c.day = raw.day
);

-- A purge leaves no rollup behind either.
DELETE FROM costledger_cost_monthly
WHERE plan_id IN (SELECT id FROM costledger_plans WHERE status = 'disconnected')
  AND NOT EXISTS (SELECT 1 FROM costledger_cost_daily d
                  WHERE d.plan_id = costledger_cost_monthly.plan_id);
DELETE FROM costledger_usage_monthly
WHERE plan_id IN (SELECT id FROM costledger_plans WHERE status = 'disconnected')
  AND NOT EXISTS (SELECT 1 FROM costledger_usage_daily d
                  WHERE d.plan_id = costledger_usage_monthly.plan_id);
DELETE FROM costledger_cost_daily_ws
WHERE plan_id IN (SELECT id FROM costledger_plans WHERE status = 'disconnected')
  AND NOT EXISTS (SELECT 1 FROM costledger_cost_hourly_ws h
                  WHERE h.plan_id = costledger_cost_daily_ws.plan_id);
