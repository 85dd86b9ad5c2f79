-- Spend limits of an Anthropic organisation as the `spend_limits` sync stream last read them,
-- the Claude Enterprise effective report (each member's resolved limit and period-to-date
-- spend), and when they were read. A sync replaces all three for its plan in one transaction.
-- Scopes are stored in their text form (`organization`, `workspace:wrkspc_…`, `user:user_…`);
-- `position` keeps the provider's order.

CREATE TABLE costledger_spend_limit_syncs (
    plan_id             BIGINT PRIMARY KEY REFERENCES costledger_plans (id) ON DELETE CASCADE,
    synced_at           BIGINT NOT NULL,
    effective_missing   TEXT
);

CREATE TABLE costledger_spend_limits (
    plan_id         BIGINT NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    limit_id        TEXT    NOT NULL,
    position        BIGINT NOT NULL,
    scope_type      TEXT    NOT NULL,
    scope           TEXT    NOT NULL,
    period          TEXT    NOT NULL,
    amount_nanos    BIGINT,
    currency        TEXT    NOT NULL,
    is_enabled      BIGINT NOT NULL,
    created_at      BIGINT,
    updated_at      BIGINT,
    PRIMARY KEY (plan_id, limit_id)
);

CREATE INDEX costledger_spend_limits_scope
    ON costledger_spend_limits (plan_id, scope, period);

CREATE TABLE costledger_spend_effective (
    plan_id             BIGINT NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    position            BIGINT NOT NULL,
    member_type         TEXT    NOT NULL,
    member_id           TEXT    NOT NULL,
    email_address       TEXT,
    name                TEXT,
    deleted             BIGINT NOT NULL,
    period              TEXT    NOT NULL,
    amount_nanos        BIGINT,
    currency            TEXT    NOT NULL,
    spent_nanos         BIGINT NOT NULL,
    scope               TEXT,
    source              TEXT,
    spend_limit_id      TEXT,
    PRIMARY KEY (plan_id, position)
);

-- A budget that mirrors a provider limit: the limit's plan and scope (its period is the
-- budget's). Its amount_nanos is the limit's, refreshed by each sync of the plan's limits.
ALTER TABLE costledger_budgets ADD COLUMN mirror_plan_id BIGINT;
ALTER TABLE costledger_budgets ADD COLUMN mirror_scope TEXT;
