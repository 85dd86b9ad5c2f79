-- The actor of usage: the org member who made the requests, when the provider says (OpenAI's
-- user_id), '' otherwise. It is a dimension like the key, so it joins the unique key (the
-- constraint 20261122000002_usage.sql created unnamed; it is found by its table and kind).
ALTER TABLE costledger_usage_dims ADD COLUMN actor_id TEXT NOT NULL DEFAULT '';
DO $$
DECLARE c TEXT;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'costledger_usage_dims'::regclass AND contype = 'u'
    LOOP
        EXECUTE format('ALTER TABLE costledger_usage_dims DROP CONSTRAINT %I', c);
    END LOOP;
END $$;
ALTER TABLE costledger_usage_dims ADD CONSTRAINT costledger_usage_dims_key
    UNIQUE (plan_id, api_key_id, workspace_id, model, service_tier, context_window, actor_id);
