-- Rollups and indexes that keep reports fast over years of history (docs/reports.md, "How
-- reports stay fast").

-- Reads of a few dimensions (a subject's keys, keys that change hands) seek (plan, dimension)
-- and find the amounts in the index itself (index-only scans).
DROP INDEX costledger_cost_facts_dim;
CREATE INDEX costledger_cost_facts_dim ON costledger_cost_facts (plan_id, dim_id, hour)
    INCLUDE (basis, amount_nanos);
CREATE INDEX costledger_cost_daily_dim ON costledger_cost_daily (plan_id, dim_id, day)
    INCLUDE (basis, amount_nanos);

-- The facts summed per UTC calendar month (month = Unix seconds of its first instant) and
-- dimension: a month's report reads one row per dimension instead of one per day.
CREATE TABLE costledger_cost_monthly (
    plan_id         BIGINT  NOT NULL,
    month           BIGINT  NOT NULL,
    dim_id          BIGINT  NOT NULL,
    basis           BIGINT  NOT NULL,
    amount_nanos    BIGINT  NOT NULL,
    PRIMARY KEY (plan_id, month, dim_id, basis)
);

-- Usage summed per UTC calendar month and dimension (tokens in reports).
CREATE TABLE costledger_usage_monthly (
    plan_id             BIGINT  NOT NULL,
    month               BIGINT  NOT NULL,
    dim_id              BIGINT  NOT NULL,
    uncached_input      BIGINT  NOT NULL,
    cache_write_5m      BIGINT  NOT NULL,
    cache_write_1h      BIGINT  NOT NULL,
    cache_read          BIGINT  NOT NULL,
    output              BIGINT  NOT NULL,
    web_search_requests BIGINT  NOT NULL,
    PRIMARY KEY (plan_id, month, dim_id)
);

-- The facts summed per UTC day and workspace: daily series of UTC periods.
CREATE TABLE costledger_cost_daily_ws (
    plan_id         BIGINT  NOT NULL,
    day             BIGINT  NOT NULL,
    workspace_id    TEXT    NOT NULL,
    basis           BIGINT  NOT NULL,
    amount_nanos    BIGINT  NOT NULL,
    PRIMARY KEY (plan_id, day, workspace_id, basis)
);

INSERT INTO costledger_cost_monthly (plan_id, month, dim_id, basis, amount_nanos)
SELECT plan_id,
       CAST(EXTRACT(EPOCH FROM date_trunc('month', to_timestamp(day) AT TIME ZONE 'UTC')) AS BIGINT),
       dim_id, basis, CAST(SUM(amount_nanos) AS BIGINT)
FROM costledger_cost_daily
GROUP BY 1, 2, 3, 4;

INSERT INTO costledger_usage_monthly (plan_id, month, dim_id, uncached_input, cache_write_5m,
    cache_write_1h, cache_read, output, web_search_requests)
SELECT plan_id,
       CAST(EXTRACT(EPOCH FROM date_trunc('month', to_timestamp(day) AT TIME ZONE 'UTC')) AS BIGINT),
       dim_id, CAST(SUM(uncached_input) AS BIGINT), CAST(SUM(cache_write_5m) AS BIGINT),
       CAST(SUM(cache_write_1h) AS BIGINT), CAST(SUM(cache_read) AS BIGINT),
       CAST(SUM(output) AS BIGINT), CAST(SUM(web_search_requests) AS BIGINT)
FROM costledger_usage_daily
GROUP BY 1, 2, 3;

INSERT INTO costledger_cost_daily_ws (plan_id, day, workspace_id, basis, amount_nanos)
SELECT plan_id, hour - hour % 86400, workspace_id, basis, CAST(SUM(amount_nanos) AS BIGINT)
FROM costledger_cost_hourly_ws
GROUP BY 1, 2, 3, 4;
