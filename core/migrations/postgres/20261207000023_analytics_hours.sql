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
    plan_id         BIGINT NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    bucket_start    BIGINT NOT NULL,
    bucket_width    BIGINT NOT NULL,
    row_count       BIGINT NOT NULL,
    cost_rows       BYTEA NOT NULL,
    PRIMARY KEY (plan_id, bucket_start, bucket_width)
);

DROP TABLE costledger_analytics_costs;

INSERT INTO costledger_stale_days (plan_id, day, generation)
SELECT s.plan_id, d.day, g.generation
FROM costledger_sync_state s
CROSS JOIN LATERAL generate_series(s.first_start - s.first_start % 86400, s.watermark - 1, 86400)
    AS d (day)
CROSS JOIN (SELECT nextval('costledger_stale_generation') AS generation) g
WHERE s.stream = 'analytics' AND s.watermark > s.first_start
ON CONFLICT (plan_id, day) DO UPDATE SET generation = excluded.generation;

DELETE FROM costledger_sync_state WHERE stream = 'analytics';
