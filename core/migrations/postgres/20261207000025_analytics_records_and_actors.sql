-- The update triggers of the tables a sync rewrites (API keys, org users, analytics actors)
-- move the attribution version only when what attribution reads of a row changes: a key's
-- creator, a user's or an actor's email (and the row's identity). Every sync updates each
-- key, user and actor it sees, unchanged or not, which moved the version, so the first report
-- after any sync read attribution's inputs again. (On SQLite this migration also moves the
-- analytics records to a rowid table; Postgres keeps them as they are.)

DROP TRIGGER costledger_api_keys_version ON costledger_api_keys;
CREATE TRIGGER costledger_api_keys_version AFTER INSERT OR DELETE
    ON costledger_api_keys FOR EACH ROW EXECUTE FUNCTION costledger_bump_attribution_version('plan');
CREATE TRIGGER costledger_api_keys_update_version AFTER UPDATE
    ON costledger_api_keys FOR EACH ROW
    WHEN (OLD.created_by_id IS DISTINCT FROM NEW.created_by_id
        OR OLD.api_key_id IS DISTINCT FROM NEW.api_key_id
        OR OLD.plan_id IS DISTINCT FROM NEW.plan_id)
    EXECUTE FUNCTION costledger_bump_attribution_version('plan');

DROP TRIGGER costledger_org_users_version ON costledger_org_users;
CREATE TRIGGER costledger_org_users_version AFTER INSERT OR DELETE
    ON costledger_org_users FOR EACH ROW EXECUTE FUNCTION costledger_bump_attribution_version('plan');
CREATE TRIGGER costledger_org_users_update_version AFTER UPDATE
    ON costledger_org_users FOR EACH ROW
    WHEN (OLD.email IS DISTINCT FROM NEW.email
        OR OLD.user_id IS DISTINCT FROM NEW.user_id
        OR OLD.plan_id IS DISTINCT FROM NEW.plan_id)
    EXECUTE FUNCTION costledger_bump_attribution_version('plan');

DROP TRIGGER costledger_analytics_actors_version ON costledger_analytics_actors;
CREATE TRIGGER costledger_analytics_actors_version AFTER INSERT OR DELETE
    ON costledger_analytics_actors FOR EACH ROW EXECUTE FUNCTION costledger_bump_attribution_version('plan');
CREATE TRIGGER costledger_analytics_actors_update_version AFTER UPDATE
    ON costledger_analytics_actors FOR EACH ROW
    WHEN (OLD.email_address IS DISTINCT FROM NEW.email_address
        OR OLD.actor_type IS DISTINCT FROM NEW.actor_type
        OR OLD.actor_id IS DISTINCT FROM NEW.actor_id
        OR OLD.plan_id IS DISTINCT FROM NEW.plan_id)
    EXECUTE FUNCTION costledger_bump_attribution_version('plan');
