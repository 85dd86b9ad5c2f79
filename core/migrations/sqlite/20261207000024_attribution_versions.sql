-- Attribution's inputs (key mappings, subjects, projects, API keys' creators, org members and
-- the Analytics API's actors) change rarely and are read by every report. Each write to them
-- bumps a version in the same transaction, per plan for the tables a sync writes (scope =
-- plan id) and once for the host's subjects, projects and mappings (scope 0), so a report can
-- tell with one small read whether what it read before is still current, whichever process
-- wrote. See docs/architecture.md. Every plan has its row from its creation on (a deleted
-- plan's row stays: nothing reads it).

CREATE TABLE costledger_attribution_versions (
    scope   INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);

INSERT INTO costledger_attribution_versions (scope, version) VALUES (0, 0);
INSERT INTO costledger_attribution_versions (scope, version) SELECT id, 0 FROM costledger_plans;

-- Plan ids are not reused (AUTOINCREMENT); should a plan's row exist anyway, it moves on rather
-- than back, since a report must never see an earlier version again. Not an upsert: a
-- trigger's statements take the conflict policy of the statement that fired it.
CREATE TRIGGER costledger_plans_version AFTER INSERT ON costledger_plans BEGIN
    INSERT INTO costledger_attribution_versions (scope, version)
        SELECT NEW.id, 0 WHERE NOT EXISTS
            (SELECT 1 FROM costledger_attribution_versions WHERE scope = NEW.id);
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = NEW.id;
END;

CREATE TRIGGER costledger_key_mappings_insert AFTER INSERT ON costledger_key_mappings BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;
CREATE TRIGGER costledger_key_mappings_update AFTER UPDATE ON costledger_key_mappings BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;
CREATE TRIGGER costledger_key_mappings_delete AFTER DELETE ON costledger_key_mappings BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;

CREATE TRIGGER costledger_subjects_insert AFTER INSERT ON costledger_subjects BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;
CREATE TRIGGER costledger_subjects_update AFTER UPDATE ON costledger_subjects BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;
CREATE TRIGGER costledger_subjects_delete AFTER DELETE ON costledger_subjects BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;

CREATE TRIGGER costledger_projects_insert AFTER INSERT ON costledger_projects BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;
CREATE TRIGGER costledger_projects_update AFTER UPDATE ON costledger_projects BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;
CREATE TRIGGER costledger_projects_delete AFTER DELETE ON costledger_projects BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = 0;
END;

CREATE TRIGGER costledger_api_keys_insert AFTER INSERT ON costledger_api_keys BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = NEW.plan_id;
END;
CREATE TRIGGER costledger_api_keys_update AFTER UPDATE ON costledger_api_keys BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = NEW.plan_id;
END;
CREATE TRIGGER costledger_api_keys_delete AFTER DELETE ON costledger_api_keys BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = OLD.plan_id;
END;

CREATE TRIGGER costledger_org_users_insert AFTER INSERT ON costledger_org_users BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = NEW.plan_id;
END;
CREATE TRIGGER costledger_org_users_update AFTER UPDATE ON costledger_org_users BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = NEW.plan_id;
END;
CREATE TRIGGER costledger_org_users_delete AFTER DELETE ON costledger_org_users BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = OLD.plan_id;
END;

CREATE TRIGGER costledger_analytics_actors_insert AFTER INSERT ON costledger_analytics_actors BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = NEW.plan_id;
END;
CREATE TRIGGER costledger_analytics_actors_update AFTER UPDATE ON costledger_analytics_actors BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = NEW.plan_id;
END;
CREATE TRIGGER costledger_analytics_actors_delete AFTER DELETE ON costledger_analytics_actors BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = OLD.plan_id;
END;
