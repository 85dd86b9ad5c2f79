-- Attribution's inputs (key mappings, subjects, projects, API keys' creators, org members and
-- the Analytics API's actors) change rarely and are read by every report. Each write to them
-- bumps a version in the same transaction, per plan for the tables a sync writes (scope =
-- plan id, so syncs of different plans never wait on one row) and once for the host's
-- subjects, projects and mappings (scope 0), so a report can tell with one small read whether
-- what it read before is still current, whichever process wrote. See docs/architecture.md.
-- Every plan has its row from its creation on (a deleted plan's row stays: nothing reads it).

CREATE TABLE costledger_attribution_versions (
    scope   BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);

INSERT INTO costledger_attribution_versions (scope, version) VALUES (0, 0);
INSERT INTO costledger_attribution_versions (scope, version) SELECT id, 0 FROM costledger_plans;

CREATE FUNCTION costledger_add_attribution_version() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
    -- Moved on, never back, should an id ever be used again.
    INSERT INTO costledger_attribution_versions (scope, version) VALUES (NEW.id, 1)
    ON CONFLICT (scope) DO UPDATE SET version = costledger_attribution_versions.version + 1;
    RETURN NULL;
END
$$;

-- TG_ARGV[0]: 'plan' bumps the row's plan, anything else scope 0.
CREATE FUNCTION costledger_bump_attribution_version() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    s BIGINT := 0;
BEGIN
    IF TG_ARGV[0] = 'plan' THEN
        IF TG_OP = 'DELETE' THEN
            s := OLD.plan_id;
        ELSE
            s := NEW.plan_id;
        END IF;
    END IF;
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = s;
    RETURN NULL;
END
$$;

CREATE TRIGGER costledger_plans_version AFTER INSERT
    ON costledger_plans FOR EACH ROW EXECUTE FUNCTION costledger_add_attribution_version();
CREATE TRIGGER costledger_key_mappings_version AFTER INSERT OR UPDATE OR DELETE
    ON costledger_key_mappings FOR EACH ROW EXECUTE FUNCTION costledger_bump_attribution_version('host');
CREATE TRIGGER costledger_subjects_version AFTER INSERT OR UPDATE OR DELETE
    ON costledger_subjects FOR EACH ROW EXECUTE FUNCTION costledger_bump_attribution_version('host');
CREATE TRIGGER costledger_projects_version AFTER INSERT OR UPDATE OR DELETE
    ON costledger_projects FOR EACH ROW EXECUTE FUNCTION costledger_bump_attribution_version('host');
CREATE TRIGGER costledger_api_keys_version AFTER INSERT OR UPDATE OR DELETE
    ON costledger_api_keys FOR EACH ROW EXECUTE FUNCTION costledger_bump_attribution_version('plan');
CREATE TRIGGER costledger_org_users_version AFTER INSERT OR UPDATE OR DELETE
    ON costledger_org_users FOR EACH ROW EXECUTE FUNCTION costledger_bump_attribution_version('plan');
CREATE TRIGGER costledger_analytics_actors_version AFTER INSERT OR UPDATE OR DELETE
    ON costledger_analytics_actors FOR EACH ROW EXECUTE FUNCTION costledger_bump_attribution_version('plan');
