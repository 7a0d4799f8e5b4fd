-- regfus queries, one text for PostgreSQL and SQLite. The few words the
-- two databases spell otherwise come from the Dialect, through template
-- functions: {{rowLock}} (PostgreSQL: FOR UPDATE; SQLite, whose writers
-- take turns: nothing) and {{jsonElements "$1"}} (the text elements of a
-- JSON array parameter).
-- Each statement is run by the typed method of the same name in queries.go,
-- which orders its parameters ($1, $2, ...; SQLite accepts the same
-- syntax) and says what they are.
--
-- Scope: a scope is three nullable parameters (region, asl, pharmacy); NULL
-- means "not restricted". A row is in scope when each non-NULL parameter
-- equals the row's value. The predicates are written once, as template
-- functions (scopeFuncs in dialect.go):
--
--   {{inScope "b" 2}}       b.region, b.asl, b.pharmacy match the scope in $2, $3, $4;
--   {{pageSeen "p" "ob" 2}} page p, created by batch ob, is seen by the scope in
--                           $2..$4: the batch that created it is in scope (pages
--                           are shared only among uploads of one scope), or the
--                           sheet identity read from it is;
--   {{inGroup "sh" 1}}      the scope in $1..$3, then the filter region, asl,
--                           pharmacy, competence in $4..$7 (NULL: any).

-- name: InsertKey
INSERT INTO api_keys (id, hash, role, region, asl, pharmacy, label, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: GetKey
SELECT id, hash, role, region, asl, pharmacy, label, created_at, revoked_at
FROM api_keys WHERE id = $1;

-- name: LookupKey
SELECT id, hash, role, region, asl, pharmacy, label, created_at, revoked_at
FROM api_keys WHERE hash = $1;

-- name: ListKeys
SELECT id, hash, role, region, asl, pharmacy, label, created_at, revoked_at
FROM api_keys ORDER BY created_at, id;

-- name: RevokeKey
UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1;

-- name: InsertBatch
INSERT INTO batches (owner_key_id, region, asl, pharmacy, created_at)
VALUES ($1, $2, $3, $4, $5) RETURNING id;

-- name: InsertFile
INSERT INTO files (sha256, name, size, media_type, blob_path, pages, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (sha256) DO NOTHING
RETURNING pages;

-- name: GetFilePages
SELECT pages FROM files WHERE sha256 = $1;

-- name: InsertBatchFile
INSERT INTO batch_files (batch_id, file_sha256, position, name, origin_batch_id)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (batch_id, file_sha256) DO NOTHING;

-- name: LockFile
-- Serialises the uploads of one file, so two uploads of the same bytes by
-- the same scope make one page set.
SELECT sha256 FROM files WHERE sha256 = $1 {{rowLock}};

-- name: FindPageSet
-- The page set of a file for an owner scope: the batch whose upload
-- created it, if any upload of that scope has.
SELECT MIN(p.batch_id)
FROM pages p
JOIN batches b ON b.id = p.batch_id
WHERE p.file_sha256 = $1
  AND b.region IS NOT DISTINCT FROM $2 AND b.asl IS NOT DISTINCT FROM $3 AND b.pharmacy IS NOT DISTINCT FROM $4;

-- name: HasFile
SELECT EXISTS (SELECT 1 FROM files WHERE sha256 = $1);

-- name: InsertPage
INSERT INTO pages (batch_id, file_sha256, page_index, state, queued_at)
VALUES ($1, $2, $3, 'queued', $4);

-- name: GetBatch
SELECT {{template "batch columns"}}
WHERE b.id = $1 AND {{inScope "b" 2}}
GROUP BY b.id;

-- name: ListBatches
SELECT {{template "batch columns"}}
WHERE {{inScope "b" 1}}
GROUP BY b.id
ORDER BY b.id DESC
LIMIT $4;

-- name: ListPages
SELECT {{template "page columns" "bf.name"}}, bf.batch_id, ob.region, ob.asl, ob.pharmacy
FROM batch_files bf
JOIN files f ON f.sha256 = bf.file_sha256
JOIN pages p ON p.file_sha256 = bf.file_sha256 AND p.batch_id = bf.origin_batch_id
JOIN batches ob ON ob.id = p.batch_id
WHERE bf.batch_id = $1 AND {{pageSeen "p" "ob" 2}}
ORDER BY bf.position, p.page_index;

-- name: GetPage
-- The name and batch shown are those of the caller's latest upload of the
-- file (own), else the upload that created the page.
SELECT {{template "page columns" "COALESCE(own.name, COALESCE((SELECT obf.name FROM batch_files obf WHERE obf.batch_id = p.batch_id AND obf.file_sha256 = p.file_sha256), f.name))"}},
       COALESCE(own.batch_id, 0), ob.region, ob.asl, ob.pharmacy
FROM pages p
JOIN files f ON f.sha256 = p.file_sha256
JOIN batches ob ON ob.id = p.batch_id
LEFT JOIN batch_files own ON own.file_sha256 = p.file_sha256 AND own.batch_id = (
    SELECT MAX(xbf.batch_id) FROM batch_files xbf JOIN batches xb ON xb.id = xbf.batch_id
    WHERE xbf.file_sha256 = p.file_sha256 AND xbf.origin_batch_id = p.batch_id AND {{inScope "xb" 2}})
WHERE p.id = $1 AND {{pageSeen "p" "ob" 2}};

-- name: FailExhausted
UPDATE pages
SET state = 'failed',
    error = 'lease expired after ' || attempts || ' attempts: the worker processing it stopped each time',
    lease_token = NULL, lease_until = NULL, finished_at = $1
WHERE state = 'running' AND lease_until < $1 AND attempts >= $2;

-- name: ClaimPage
-- One statement: SQLite serialises writers, so two claimers never take
-- the same page; PostgreSQL's claimers skip the rows others hold, so each
-- takes a different page without waiting.
UPDATE pages
SET state = 'running', attempts = attempts + 1, lease_token = $3, lease_until = $2, started_at = $1
WHERE id = (
    SELECT id FROM pages
    WHERE state = 'queued' OR (state = 'running' AND lease_until < $1 AND attempts < $4)
    ORDER BY id
    LIMIT 1
    {{rowLock "SKIP LOCKED"}})
RETURNING id;

-- name: ExtendLease
UPDATE pages SET lease_until = $3
WHERE id = $1 AND state = 'running' AND lease_token = $2;

-- name: ReleasePage
UPDATE pages
SET state = 'queued', lease_token = NULL, lease_until = NULL,
    attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
WHERE id = $1 AND state = 'running' AND lease_token = $2;

-- name: LockPage
SELECT state, lease_token FROM pages WHERE id = $1 {{rowLock}};

-- name: FinishPage
UPDATE pages
SET state = 'done', status = $2, result = $3, layout_version = $4, error = NULL,
    lease_token = NULL, lease_until = NULL, finished_at = $5, millis = $6
WHERE id = $1;

-- name: FailPage
UPDATE pages
SET state = 'failed', error = $2, lease_token = NULL, lease_until = NULL, finished_at = $3
WHERE id = $1;

-- name: UpdatePageResult
UPDATE pages SET status = $2, result = $3, layout_version = $4 WHERE id = $1;

-- name: DeleteSlots
DELETE FROM slots WHERE page_id = $1;

-- name: InsertSlot
INSERT INTO slots (page_id, slot, state, aic, targatura, confidence, flags)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: DeleteSheet
DELETE FROM sheets WHERE page_id = $1;

-- name: InsertSheet
INSERT INTO sheets (page_id, code, tail_code, region, asl, pharmacy, competence, progressive,
                    dispensario, declared_count, date)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11);

-- name: InsertReview
INSERT INTO review_items (page_id, slot, field, reason, value, suggestion, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: QueueDepth
SELECT COUNT(*) FROM pages WHERE state IN ('queued', 'running');

-- name: ListSheetResults
SELECT {{template "page columns" "COALESCE((SELECT obf.name FROM batch_files obf WHERE obf.batch_id = p.batch_id AND obf.file_sha256 = p.file_sha256), f.name)"}},
       0, ob.region, ob.asl, ob.pharmacy
FROM sheets sh
JOIN pages p ON p.id = sh.page_id
JOIN files f ON f.sha256 = p.file_sha256
JOIN batches ob ON ob.id = p.batch_id
WHERE p.state = 'done' AND {{inGroup "sh" 1}}
ORDER BY p.id;

-- name: FindTargature
-- $1 is a JSON array of targature.
SELECT s.targatura, s.page_id, s.slot, s.aic,
       sh.region, sh.asl, sh.pharmacy, sh.competence, sh.progressive
FROM slots s
LEFT JOIN sheets sh ON sh.page_id = s.page_id
WHERE s.targatura IN ({{jsonElements "$1"}})
ORDER BY s.targatura, s.page_id, s.slot;

-- name: InsertImport
INSERT INTO imports (kind, key_id, source, row_count, created_at)
VALUES ($1, $2, $3, $4, $5) RETURNING id;

-- name: DeleteDeclarationsGroup
DELETE FROM declarations WHERE region = $1 AND asl = $2 AND pharmacy = $3 AND competence = $4;

-- name: InsertDeclaration
INSERT INTO declarations (import_id, region, asl, pharmacy, competence, bundle, sheets,
                          gross_cents, ticket_cents, extra)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: DeleteRecordsGroup
DELETE FROM records WHERE region = $1 AND asl = $2 AND pharmacy = $3 AND competence = $4;

-- name: InsertRecord
INSERT INTO records (import_id, record_id, region, asl, pharmacy, competence, dispensed_on,
                     prescription, aic, targatura, sheet, slot, state, closed_on, signature,
                     signed_document_id, extra)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17);

-- name: ListDeclarations
SELECT import_id, region, asl, pharmacy, competence, bundle, sheets, gross_cents, ticket_cents, extra
FROM declarations
WHERE {{inGroup "" 1}}
ORDER BY region, asl, pharmacy, competence, bundle;

-- name: ListRecords
SELECT import_id, record_id, region, asl, pharmacy, competence, dispensed_on, prescription,
       aic, targatura, sheet, slot, state, closed_on, signature, signed_document_id, extra
FROM records
WHERE {{inGroup "" 1}}
ORDER BY region, asl, pharmacy, competence, record_id;

-- name: PutReconciliation
INSERT INTO reconciliations (region, asl, pharmacy, competence, report, computed_at, summary)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (region, asl, pharmacy, competence)
DO UPDATE SET report = EXCLUDED.report, computed_at = EXCLUDED.computed_at, summary = EXCLUDED.summary;

-- name: GetReconciliation
SELECT region, asl, pharmacy, competence, report, computed_at
FROM reconciliations
WHERE region = $1 AND asl = $2 AND pharmacy = $3 AND competence = $4 AND {{inScope "" 5}};

-- name: ListReconciliations
SELECT region, asl, pharmacy, competence, report, computed_at
FROM reconciliations
WHERE {{inGroup "" 1}}
ORDER BY region, asl, pharmacy, competence;

-- name: ListReconciliationReports
SELECT region, asl, pharmacy, competence, report, computed_at
FROM reconciliations
WHERE {{inGroup "" 1}} AND (region, asl, pharmacy, competence) > ($8, $9, $10, $11)
ORDER BY region, asl, pharmacy, competence
LIMIT $12;

-- name: ListReconciliationSummaries
SELECT region, asl, pharmacy, competence, summary, computed_at
FROM reconciliations
WHERE {{inGroup "" 1}} AND (region, asl, pharmacy, competence) > ($8, $9, $10, $11)
ORDER BY region, asl, pharmacy, competence
LIMIT $12;

-- name: ListReview
SELECT {{template "review columns"}}
WHERE {{pageSeen "p" "ob" 1}}
  AND (CAST($4 AS TEXT) IS NULL OR r.status = $4)
  AND (CAST($5 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM batch_files x
                                        WHERE x.batch_id = $5 AND x.file_sha256 = p.file_sha256
                                          AND x.origin_batch_id = p.batch_id))
  AND (CAST($6 AS BIGINT) = 0 OR r.page_id = $6)
ORDER BY r.id
LIMIT $7;

-- name: GetReview
SELECT {{template "review columns"}}
WHERE r.id = $1 AND {{pageSeen "p" "ob" 2}};

-- name: ListCorrections
SELECT id, key_id, at, before, after, note FROM corrections WHERE item_id = $1 ORDER BY id;

-- name: InsertCorrection
INSERT INTO corrections (item_id, key_id, at, before, after, note)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: ResolveReview
UPDATE review_items SET status = 'resolved', resolved_at = $2 WHERE id = $1;

-- name: SetReviewSuggestion
-- $4 is the suggestion's JSON or NULL; only where the item holds none or
-- one of source $3 (->> reads a JSON member in both databases).
UPDATE review_items SET suggestion = $4
WHERE page_id = $1 AND field = $2 AND status = 'open'
  AND (suggestion IS NULL OR suggestion ->> 'source' = $3);

-- Shared pieces (templates, not statements: no "-- name:" line).

{{define "batch columns"}}b.id, b.owner_key_id, b.region, b.asl, b.pharmacy, b.created_at,
       COUNT(p.id),
       SUM(CASE WHEN p.state = 'queued' THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.state = 'running' THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.state = 'done' AND p.status = 'ok' THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.state = 'done' AND p.status = 'review' THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.state = 'done' AND p.status = 'rejected' THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.state = 'failed' THEN 1 ELSE 0 END)
FROM batches b
LEFT JOIN batch_files bf ON bf.batch_id = b.id
LEFT JOIN pages p ON p.file_sha256 = bf.file_sha256 AND p.batch_id = bf.origin_batch_id{{end}}

{{define "page columns"}}p.id, p.batch_id, f.sha256, {{.}}, f.size, f.media_type, f.blob_path, f.pages,
       p.page_index, p.state, p.result, p.error, p.attempts,
       p.queued_at, p.started_at, p.finished_at, p.millis{{end}}

{{define "review columns"}}r.id, r.page_id, p.batch_id, p.file_sha256, p.page_index, r.slot, r.field, r.reason,
       r.value, r.suggestion, r.status, r.created_at, r.resolved_at,
       sh.region, sh.asl, sh.pharmacy, sh.competence
FROM review_items r
JOIN pages p ON p.id = r.page_id
JOIN batches ob ON ob.id = p.batch_id
LEFT JOIN sheets sh ON sh.page_id = r.page_id{{end}}
