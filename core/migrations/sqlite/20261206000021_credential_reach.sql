-- What the plan's credential reaches at its provider (JSON: legacy_reports, analytics,
-- spend_limits, checked_at), checked when the plan is added or its credential rotated;
-- NULL until checked (the next sync checks it).
ALTER TABLE costledger_plans ADD COLUMN credential_reach TEXT;
