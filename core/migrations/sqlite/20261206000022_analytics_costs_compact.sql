-- Analytics cost rows live in their primary key's b-tree (WITHOUT ROWID, as costledger_usage
-- does): one b-tree to write per row instead of three. The (plan_id, bucket_start) index was
-- a prefix of the primary key, which serves the same range scans.

CREATE TABLE costledger_analytics_costs_new (
    plan_id             INTEGER NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    bucket_start        INTEGER NOT NULL,
    bucket_width        INTEGER NOT NULL,
    api_key_id          TEXT    NOT NULL,
    workspace_id        TEXT    NOT NULL,
    model               TEXT    NOT NULL,
    actor_type          TEXT    NOT NULL,
    actor_id            TEXT    NOT NULL,
    cost_type           TEXT    NOT NULL,
    token_type          TEXT    NOT NULL,
    service_tier        TEXT    NOT NULL,
    context_window      TEXT    NOT NULL,
    inference_geo       TEXT    NOT NULL,
    product             TEXT    NOT NULL,
    speed               TEXT    NOT NULL,
    currency            TEXT    NOT NULL,
    amount_net_nanos    INTEGER NOT NULL,
    amount_list_nanos   INTEGER NOT NULL,
    requests            INTEGER,
    PRIMARY KEY (plan_id, bucket_start, bucket_width, api_key_id, workspace_id, model,
                 actor_type, actor_id, cost_type, token_type, service_tier, context_window,
                 inference_geo, product, speed)
) WITHOUT ROWID;

INSERT INTO costledger_analytics_costs_new SELECT
    plan_id, bucket_start, bucket_width, api_key_id, workspace_id, model, actor_type, actor_id,
    cost_type, token_type, service_tier, context_window, inference_geo, product, speed,
    currency, amount_net_nanos, amount_list_nanos, requests
FROM costledger_analytics_costs;

DROP TABLE costledger_analytics_costs;
ALTER TABLE costledger_analytics_costs_new RENAME TO costledger_analytics_costs;
