-- The (plan_id, bucket_start) index was a prefix of the primary key, which serves the same
-- range scans: one index less to write per analytics cost row.
DROP INDEX costledger_analytics_costs_plan_start;
