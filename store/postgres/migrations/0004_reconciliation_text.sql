-- Reports are stored and served as the JSON text regfus wrote, not jsonb:
-- the service only ever reads a report whole, and turning an 800 KB jsonb
-- report back into text cost PostgreSQL about 33 ms per read against 2 ms
-- for text (measured on this project's 2-core machine). Validity is
-- checked by the store before writing (json.Valid). The summaries follow,
-- for one representation.
ALTER TABLE reconciliations ALTER COLUMN report TYPE text USING report::text;
ALTER TABLE reconciliations ALTER COLUMN summary TYPE text USING summary::text;
