-- PostgreSQL's migration 0003 moves the originals into the database
-- (blob/pgblob). The embedded store keeps them in DATA/blobs: nothing to
-- do here; the number is kept so both stores' migrations stay in step.
SELECT 1;
