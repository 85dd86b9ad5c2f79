-- OpenAI bills each amount to an API key (its costs endpoint groups by api_key_id), so a
-- billed cost row keeps the key it names; '' is no key (Anthropic's cost report, OpenAI
-- charges without one such as storage and the Playground), as in the usage dimensions.
ALTER TABLE costledger_costs ADD COLUMN api_key_id TEXT NOT NULL DEFAULT '';
