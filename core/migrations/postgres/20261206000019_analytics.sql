-- The Anthropic Usage and Cost Analytics API: billed cost per bucket and group, with both the
-- net (post-discount) and the list amount, and the actors that cost is attributed to.
-- A null group value is stored as '' (as in the usage dimensions); a federated actor has no
-- id, so its actor_id is "<length of provider>:<provider><subject>".

CREATE TABLE costledger_analytics_actors (
    plan_id         BIGINT NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    actor_type      TEXT    NOT NULL,
    actor_id        TEXT    NOT NULL,
    provider        TEXT,
    subject         TEXT,
    email_address   TEXT,
    name            TEXT,
    deleted         BIGINT NOT NULL DEFAULT 0,
    first_seen      BIGINT NOT NULL,
    last_seen       BIGINT NOT NULL,
    PRIMARY KEY (plan_id, actor_type, actor_id)
);

CREATE TABLE costledger_analytics_costs (
    plan_id             BIGINT NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    bucket_start        BIGINT NOT NULL,
    bucket_width        BIGINT NOT NULL,
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
    amount_net_nanos    BIGINT NOT NULL,
    amount_list_nanos   BIGINT NOT NULL,
    requests            BIGINT,
    PRIMARY KEY (plan_id, bucket_start, bucket_width, api_key_id, workspace_id, model,
                 actor_type, actor_id, cost_type, token_type, service_tier, context_window,
                 inference_geo, product, speed)
);
CREATE INDEX costledger_analytics_costs_plan_start
    ON costledger_analytics_costs (plan_id, bucket_start);
