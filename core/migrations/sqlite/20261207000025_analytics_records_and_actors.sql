-- The analytics records move to a rowid table. Stored WITHOUT ROWID, a row lives in its
-- primary key's b-tree, where SQLite keeps at most about a quarter of a page of it in place and
-- moves the rest to an overflow page of its own: records average about 900 bytes, and most
-- of those over the limit took a whole 4 KB page for a few hundred bytes (a 90-day sync of
-- three organisations: 5.1 MB of records in 12.3 MB of pages). A rowid table keeps up to
-- almost a page in place (the same records in 6.2 MB); the primary key becomes its index.
--
-- The update triggers of the tables a sync rewrites (API keys, org users, analytics actors)
-- move the attribution version only when what attribution reads of a row changes: a key's
-- creator, a user's or an actor's email (and the row's identity). Every sync updates each
-- key, user and actor it sees, unchanged or not, which moved the version, so the first report
-- after any sync read attribution's inputs again.

CREATE TABLE costledger_analytics_hours_new (
    plan_id         INTEGER NOT NULL REFERENCES costledger_plans (id) ON DELETE CASCADE,
    bucket_start    INTEGER NOT NULL,
    bucket_width    INTEGER NOT NULL,
    row_count       INTEGER NOT NULL,
    cost_rows       BLOB NOT NULL,
    PRIMARY KEY (plan_id, bucket_start, bucket_width)
);

INSERT INTO costledger_analytics_hours_new
    (plan_id, bucket_start, bucket_width, row_count, cost_rows)
SELECT plan_id, bucket_start, bucket_width, row_count, cost_rows
FROM costledger_analytics_hours;

DROP TABLE costledger_analytics_hours;
ALTER TABLE costledger_analytics_hours_new RENAME TO costledger_analytics_hours;

DROP TRIGGER costledger_api_keys_update;
CREATE TRIGGER costledger_api_keys_update AFTER UPDATE ON costledger_api_keys
WHEN OLD.created_by_id IS NOT NEW.created_by_id
    OR OLD.api_key_id IS NOT NEW.api_key_id
    OR OLD.plan_id IS NOT NEW.plan_id
BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = NEW.plan_id;
END;

DROP TRIGGER costledger_org_users_update;
CREATE TRIGGER costledger_org_users_update AFTER UPDATE ON costledger_org_users
WHEN OLD.email IS NOT NEW.email
    OR OLD.user_id IS NOT NEW.user_id
    OR OLD.plan_id IS NOT NEW.plan_id
BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = NEW.plan_id;
END;

DROP TRIGGER costledger_analytics_actors_update;
CREATE TRIGGER costledger_analytics_actors_update AFTER UPDATE ON costledger_analytics_actors
WHEN OLD.email_address IS NOT NEW.email_address
    OR OLD.actor_type IS NOT NEW.actor_type
    OR OLD.actor_id IS NOT NEW.actor_id
    OR OLD.plan_id IS NOT NEW.plan_id
BEGIN
    UPDATE costledger_attribution_versions SET version = version + 1 WHERE scope = NEW.plan_id;
END;
