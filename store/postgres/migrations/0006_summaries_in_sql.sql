-- The summary of a report stored before migration 0002 (summary NULL) is
-- filled here, in SQL, as regfus filled it in Go after migrating until
-- now: the report's members but its arrays, and for each array NAME a
-- member NAME_count with its length (a report that is not a JSON object:
-- {}). New summaries come with their report (reconcile.Brief); the store
-- no longer reads inside reports.
UPDATE reconciliations r
SET summary = CASE WHEN jsonb_typeof(CAST(r.report AS jsonb)) = 'object' THEN (
        SELECT CAST(COALESCE(jsonb_object_agg(
                   CASE WHEN jsonb_typeof(e.value) = 'array' THEN e.key || '_count' ELSE e.key END,
                   CASE WHEN jsonb_typeof(e.value) = 'array' THEN to_jsonb(jsonb_array_length(e.value)) ELSE e.value END),
               '{}') AS text)
        FROM jsonb_each(CAST(r.report AS jsonb)) e)
    ELSE '{}' END
WHERE r.summary IS NULL;
