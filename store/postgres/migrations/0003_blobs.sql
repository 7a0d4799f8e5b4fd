-- Uploaded originals, content-addressed by sha256 (package blob/pgblob):
-- with PostgreSQL the originals live in the database, so a worker on any
-- machine needs only the database URL. A blob is a row of blobs and its
-- bytes in 1 MiB pieces in blob_chunks, written in one transaction: the
-- blobs row commits with every piece or not at all.
CREATE TABLE blobs (
    sha256      text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size        bigint NOT NULL CHECK (size >= 0),
    chunks      integer NOT NULL CHECK (chunks >= 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE blob_chunks (
    sha256  text NOT NULL REFERENCES blobs (sha256) ON DELETE CASCADE,
    n       integer NOT NULL CHECK (n >= 0),
    data    bytea NOT NULL,
    PRIMARY KEY (sha256, n)
);
