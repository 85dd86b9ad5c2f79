-- Rollups and indexes that keep reports fast over years of history (docs/reports.md, "How
-- reports stay fast").

-- Reads of a few dimensions (a subject's keys, keys that change hands) seek (plan, dimension)
-- and find the amounts in the index itself: covering, so no lookup per fact, and the planner
-- prefers it to a range scan of every dimension's facts.
DROP INDEX costledger_cost_facts_dim;
CREATE INDEX costledger_cost_facts_dim ON costledger_cost_facts
    (plan_id, dim_id, hour, basis, amount_nanos);
CREATE INDEX costledger_cost_daily_dim ON costledger_cost_daily
    (plan_id, dim_id, day, basis, amount_nanos);

-- The facts summed per UTC calendar month (month = Unix seconds of its first instant) and
-- dimension: a month's report reads one row per dimension instead of one per day.
CREATE TABLE costledger_cost_monthly (
    plan_id         INTEGER NOT NULL,
    month           INTEGER NOT NULL,
    dim_id          INTEGER NOT NULL,
    basis           INTEGER NOT NULL,
    amount_nanos    INTEGER NOT NULL,
    PRIMARY KEY (plan_id, month, dim_id, basis)
) WITHOUT ROWID;

-- Usage summed per UTC calendar month and dimension (tokens in reports).
CREATE TABLE costledger_usage_monthly (
    plan_id             INTEGER NOT NULL,
    month               INTEGER NOT NULL,
    dim_id              INTEGER NOT NULL,
    uncached_input      INTEGER NOT NULL,
    cache_write_5m      INTEGER NOT NULL,
    cache_write_1h      INTEGER NOT NULL,
    cache_read          INTEGER NOT NULL,
    output              INTEGER NOT NULL,
    web_search_requests INTEGER NOT NULL,
    PRIMARY KEY (plan_id, month, dim_id)
) WITHOUT ROWID;

-- The facts summed per UTC day and workspace: daily series of UTC periods.
CREATE TABLE costledger_cost_daily_ws (
    plan_id         INTEGER NOT NULL,
    day             INTEGER NOT NULL,
    workspace_id    TEXT    NOT NULL,
    basis           INTEGER NOT NULL,
    amount_nanos    INTEGER NOT NULL,
    PRIMARY KEY (plan_id, day, workspace_id, basis)
) WITHOUT ROWID;

INSERT INTO costledger_cost_monthly (plan_id, month, dim_id, basis, amount_nanos)
SELECT plan_id, CAST(strftime('%s', day, 'unixepoch', 'start of month') AS INTEGER), dim_id,
       basis, SUM(amount_nanos)
FROM costledger_cost_daily
GROUP BY 1, 2, 3, 4;

INSERT INTO costledger_usage_monthly (plan_id, month, dim_id, uncached_input, cache_write_5m,
    cache_write_1h, cache_read, output, web_search_requests)
SELECT plan_id, CAST(strftime('%s', day, 'unixepoch', 'start of month') AS INTEGER), dim_id,
       SUM(uncached_input), SUM(cache_write_5m), SUM(cache_write_1h), SUM(cache_read),
       SUM(output), SUM(web_search_requests)
FROM costledger_usage_daily
GROUP BY 1, 2, 3;

INSERT INTO costledger_cost_daily_ws (plan_id, day, workspace_id, basis, amount_nanos)
SELECT plan_id, hour - hour % 86400, workspace_id, basis, SUM(amount_nanos)
FROM costledger_cost_hourly_ws
GROUP BY 1, 2, 3, 4;
