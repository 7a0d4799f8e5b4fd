-- Pages are shared only among uploads of the same scope (issue 13): the
-- same bytes uploaded by another station or pharmacy get pages of their
-- own, read and judged against that uploader's scope, so access to a page
-- comes from the caller's own upload, never from someone else's upload of
-- the same bytes. A page set is named by the file and the batch whose
-- upload created it (pages.batch_id); batch_files.origin_batch_id says
-- which page set an upload uses.
ALTER TABLE pages DROP CONSTRAINT pages_file_sha256_page_index_key;
ALTER TABLE pages ADD CONSTRAINT pages_file_batch_index_key UNIQUE (file_sha256, batch_id, page_index);

ALTER TABLE batch_files ADD COLUMN origin_batch_id bigint REFERENCES batches (id);
-- Uploads stored before this migration used the one page set of their file.
UPDATE batch_files
SET origin_batch_id = (SELECT MIN(p.batch_id) FROM pages p WHERE p.file_sha256 = batch_files.file_sha256);
CREATE INDEX batch_files_origin ON batch_files (file_sha256, origin_batch_id);

-- A blob's put_at is when it was last stored or stored again (blob/pgblob
-- refreshes it when a Put finds the bytes already there): the collector
-- of unreferenced blobs removes only blobs nobody has put for a while, and
-- a failed upload removes its blob only if nobody put it since.
ALTER TABLE blobs RENAME COLUMN created_at TO put_at;
