-- Fast mode is priced at its own rates (docs/pricing.md), so each Claude Code log entry keeps
-- whether its request was made in fast mode (`message.usage.speed: "fast"`).
ALTER TABLE costledger_log_entries ADD COLUMN fast BOOLEAN NOT NULL DEFAULT FALSE;

-- The entries already stored say nothing about speed. A changed modification time makes the
-- next sync look at every tracked file, and a fingerprint that matches no bytes makes it read
-- each one again from the start, replacing its entries (docs/claude-code-logs.md): the files
-- still on disk get their speed back; entries of deleted files stay, at standard speed.
UPDATE costledger_log_files SET mtime_ns = -1, fingerprint = 0;
