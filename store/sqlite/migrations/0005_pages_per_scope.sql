-- Pages are shared only among uploads of the same scope (issue 13): the
-- same bytes uploaded by another station or pharmacy get pages of their
-- own, read and judged against that uploader's scope, so access to a page
-- comes from the caller's own upload, never from someone else's upload of
-- the same bytes. A page set is named by the file and the batch whose
-- upload created it (pages.batch_id); batch_files.origin_batch_id says
-- which page set an upload uses.
--
-- SQLite cannot drop a table constraint, so pages is rebuilt (the
-- procedure of sqlite.org/lang_altertable.html, section 7): the migration
-- runs with foreign keys off and checks them before it commits.
CREATE TABLE pages_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id        INTEGER NOT NULL REFERENCES batches (id),
    file_sha256     TEXT NOT NULL REFERENCES files (sha256),
    page_index      INTEGER NOT NULL CHECK (page_index >= 1),
    state           TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    status          TEXT CHECK (status IN ('ok', 'review', 'rejected')),
    result          TEXT CHECK (result IS NULL OR json_valid(result)),
    layout_version  INTEGER,
    error           TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_token     TEXT,
    lease_until     INTEGER,
    queued_at       INTEGER NOT NULL,
    started_at      INTEGER,
    finished_at     INTEGER,
    millis          INTEGER,
    UNIQUE (file_sha256, batch_id, page_index),
    CHECK ((state = 'done') = (status IS NOT NULL AND result IS NOT NULL))
) STRICT;
INSERT INTO pages_new (id, batch_id, file_sha256, page_index, state, status, result, layout_version, error,
                       attempts, lease_token, lease_until, queued_at, started_at, finished_at, millis)
SELECT id, batch_id, file_sha256, page_index, state, status, result, layout_version, error,
       attempts, lease_token, lease_until, queued_at, started_at, finished_at, millis
FROM pages;
DROP TABLE pages;
ALTER TABLE pages_new RENAME TO pages;
CREATE INDEX pages_claimable ON pages (id) WHERE state IN ('queued', 'running');
CREATE INDEX pages_batch ON pages (batch_id);

ALTER TABLE batch_files ADD COLUMN origin_batch_id INTEGER REFERENCES batches (id);
-- Uploads stored before this migration used the one page set of their file.
UPDATE batch_files
SET origin_batch_id = (SELECT MIN(p.batch_id) FROM pages p WHERE p.file_sha256 = batch_files.file_sha256);
CREATE INDEX batch_files_origin ON batch_files (file_sha256, origin_batch_id);
