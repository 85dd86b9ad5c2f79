-- Attribution's inputs (key mappings, subjects, projects, API keys' creators, org members and
-- the Analytics API's actors) change rarely and are read by every report. Each write to them
-- bumps a version in the same transaction, per plan for the tables a sync writes (scope =
-- plan id) and once for the host's subjects, projects and mappings (scope 0), so a report can
-- tell with one small read whether what it read before is still current, whichever process
-- wrote. See docs/architecture.md.

CREATE TABLE costledger_attribution_versions (
    scope   INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);

-- A trigger's statements take the conflict policy of the statement that fired it (an upsert's
-- or an INSERT OR REPLACE's), so a scope's row is created only where it is missing rather
-- than by an INSERT OR IGNORE.

CREATE TRIGGER costledger_key_mappings_insert AFTER INSERT ON costledger_key_mappings BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT 0, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = 0);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;
CREATE TRIGGER costledger_key_mappings_update AFTER UPDATE ON costledger_key_mappings BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT 0, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = 0);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;
CREATE TRIGGER costledger_key_mappings_delete AFTER DELETE ON costledger_key_mappings BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT 0, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = 0);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;

CREATE TRIGGER costledger_subjects_insert AFTER INSERT ON costledger_subjects BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT 0, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = 0);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;
CREATE TRIGGER costledger_subjects_update AFTER UPDATE ON costledger_subjects BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT 0, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = 0);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;
CREATE TRIGGER costledger_subjects_delete AFTER DELETE ON costledger_subjects BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT 0, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = 0);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;

CREATE TRIGGER costledger_projects_insert AFTER INSERT ON costledger_projects BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT 0, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = 0);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;
CREATE TRIGGER costledger_projects_update AFTER UPDATE ON costledger_projects BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT 0, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = 0);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;
CREATE TRIGGER costledger_projects_delete AFTER DELETE ON costledger_projects BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT 0, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = 0);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;

CREATE TRIGGER costledger_api_keys_insert AFTER INSERT ON costledger_api_keys BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT NEW.plan_id, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = NEW.plan_id);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = NEW.plan_id;
END;
CREATE TRIGGER costledger_api_keys_update AFTER UPDATE ON costledger_api_keys BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT NEW.plan_id, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = NEW.plan_id);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = NEW.plan_id;
END;
CREATE TRIGGER costledger_api_keys_delete AFTER DELETE ON costledger_api_keys BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT OLD.plan_id, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = OLD.plan_id);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = OLD.plan_id;
END;

CREATE TRIGGER costledger_org_users_insert AFTER INSERT ON costledger_org_users BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT NEW.plan_id, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = NEW.plan_id);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = NEW.plan_id;
END;
CREATE TRIGGER costledger_org_users_update AFTER UPDATE ON costledger_org_users BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT NEW.plan_id, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = NEW.plan_id);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = NEW.plan_id;
END;
CREATE TRIGGER costledger_org_users_delete AFTER DELETE ON costledger_org_users BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT OLD.plan_id, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = OLD.plan_id);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = OLD.plan_id;
END;

CREATE TRIGGER costledger_analytics_actors_insert AFTER INSERT ON costledger_analytics_actors BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT NEW.plan_id, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = NEW.plan_id);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = NEW.plan_id;
END;
CREATE TRIGGER costledger_analytics_actors_update AFTER UPDATE ON costledger_analytics_actors BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT NEW.plan_id, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = NEW.plan_id);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = NEW.plan_id;
END;
CREATE TRIGGER costledger_analytics_actors_delete AFTER DELETE ON costledger_analytics_actors BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT OLD.plan_id, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = OLD.plan_id);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = OLD.plan_id;
END;
