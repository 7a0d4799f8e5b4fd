-- PostgreSQL's migration 0004 turns reports from jsonb into text. SQLite
-- stored them as text from the start: nothing to do here; the number is
-- kept so both stores' migrations stay in step.
SELECT 1;
