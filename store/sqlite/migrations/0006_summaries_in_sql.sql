-- The summary of a report stored before migration 0002 (summary NULL) is
-- filled here, in SQL, as regfus filled it in Go after migrating until
-- now: the report's members but its arrays, and for each array NAME a
-- member NAME_count with its length (a report that is not a JSON object:
-- {}). New summaries come with their report (reconcile.Brief); the store
-- no longer reads inside reports. json_each gives true, false and objects
-- as SQL values; json() keeps them JSON.
UPDATE reconciliations
SET summary = CASE WHEN json_type(report) = 'object' THEN (
        SELECT json_group_object(
                   CASE WHEN e.type = 'array' THEN e.key || '_count' ELSE e.key END,
                   CASE e.type
                       WHEN 'array' THEN json_array_length(e.value)
                       WHEN 'object' THEN json(e.value)
                       WHEN 'true' THEN json('true')
                       WHEN 'false' THEN json('false')
                       ELSE e.value
                   END)
        FROM json_each(reconciliations.report) e)
    ELSE '{}' END
WHERE summary IS NULL;
