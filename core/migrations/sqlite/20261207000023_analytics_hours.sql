-- The Analytics API's cost rows, one record per plan and bucket: the bucket's rows in the
-- compact binary form of core/src/store/analytics_hours.rs (every group value, the actor, net
-- and list amounts, currency and requests, exactly). Stored one SQL row each, a 90-day sync
-- of the analytics stream wrote about as many rows as the usage and cost streams together.
--
-- Rows stored in the previous table are not converted (SQL cannot write the binary form):
-- the analytics stream's watermarks are removed and the days they covered marked stale, so
-- those days are billed from the legacy reports (allocated) until a sync reads them again from
-- the Analytics API, which serves the last 365 days. A sync without a watermark starts at its
-- initial backfill; see docs/schema.md for re-reading a longer history.

CREATE TABLE costledger_analytics_hours (
    plan_id         INTEGER NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    bucket_start    INTEGER NOT NULL,
    bucket_width    INTEGER NOT NULL,
    row_count       INTEGER NOT NULL,
    cost_rows       BLOB NOT NULL,
    PRIMARY KEY (plan_id, bucket_start, bucket_width)
) WITHOUT ROWID;

DROP TABLE costledger_analytics_costs;

UPDATE costledger_stale_generation SET value = value + 1 WHERE id = 1;

INSERT INTO costledger_stale_days (plan_id, day, generation)
WITH RECURSIVE covered (plan_id, day, stop) AS (
    SELECT plan_id, first_start - first_start % 86400, watermark
    FROM costledger_sync_state WHERE stream = 'analytics' AND watermark > first_start
    UNION ALL
    SELECT plan_id, day + 86400, stop FROM covered WHERE day + 86400 < stop
)
SELECT plan_id, day, (SELECT value FROM costledger_stale_generation WHERE id = 1)
FROM covered WHERE true
ON CONFLICT (plan_id, day) DO UPDATE SET generation = excluded.generation;

DELETE FROM costledger_sync_state WHERE stream = 'analytics';
