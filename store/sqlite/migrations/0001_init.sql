-- regfus schema v1 (SQLite). Mirrors store/postgres/migrations/0001_init.sql;
-- the meaning of every column is documented in package store. Times are
-- INTEGER microseconds since the Unix epoch (UTC); JSON is TEXT; booleans
-- are 0/1.

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    hash        BLOB NOT NULL UNIQUE,            -- sha256 of the secret; the secret is never stored
    role        TEXT NOT NULL CHECK (role IN ('station', 'pharmacy', 'validator', 'admin')),
    region      TEXT CHECK (region GLOB '[0-9][0-9][0-9]'),
    asl         TEXT CHECK (asl GLOB '[0-9][0-9][0-9]'),
    pharmacy    TEXT CHECK (pharmacy GLOB '[0-9][0-9][0-9][0-9][0-9]'),
    label       TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
) STRICT;

CREATE TABLE batches (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_key_id  TEXT REFERENCES api_keys (id),
    region        TEXT,
    asl           TEXT,
    pharmacy      TEXT,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE files (
    sha256      TEXT PRIMARY KEY CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    name        TEXT NOT NULL,
    size        INTEGER NOT NULL CHECK (size >= 0),
    media_type  TEXT NOT NULL,
    blob_path   TEXT NOT NULL,
    pages       INTEGER NOT NULL CHECK (pages >= 1),
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE batch_files (
    batch_id     INTEGER NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    file_sha256  TEXT NOT NULL REFERENCES files (sha256),
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    PRIMARY KEY (batch_id, file_sha256)
) STRICT;
CREATE INDEX batch_files_file ON batch_files (file_sha256);

CREATE TABLE pages (
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
    UNIQUE (file_sha256, page_index),
    CHECK ((state = 'done') = (status IS NOT NULL AND result IS NOT NULL))
) STRICT;
CREATE INDEX pages_claimable ON pages (id) WHERE state IN ('queued', 'running');
CREATE INDEX pages_batch ON pages (batch_id);

CREATE TABLE slots (
    page_id     INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    slot        INTEGER NOT NULL CHECK (slot BETWEEN 1 AND 28),
    state       TEXT NOT NULL CHECK (state IN ('filled', 'empty', 'unreadable')),
    aic         TEXT,
    targatura   TEXT,
    confidence  REAL NOT NULL,
    flags       TEXT NOT NULL CHECK (json_valid(flags)),
    PRIMARY KEY (page_id, slot)
) STRICT;
CREATE INDEX slots_targatura ON slots (targatura) WHERE targatura IS NOT NULL;

CREATE TABLE sheets (
    page_id         INTEGER PRIMARY KEY REFERENCES pages (id) ON DELETE CASCADE,
    code            TEXT,
    tail_code       TEXT,
    region          TEXT NOT NULL,
    asl             TEXT NOT NULL,
    pharmacy        TEXT NOT NULL,
    competence      TEXT CHECK (competence GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
    progressive     TEXT,
    dispensario     INTEGER NOT NULL CHECK (dispensario IN (0, 1)),
    declared_count  INTEGER,
    date            TEXT
) STRICT;
CREATE INDEX sheets_group ON sheets (region, asl, pharmacy, competence);

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('declarations', 'records')),
    key_id      TEXT REFERENCES api_keys (id),
    source      TEXT NOT NULL,
    row_count   INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE declarations (
    import_id     INTEGER NOT NULL REFERENCES imports (id),
    region        TEXT NOT NULL,
    asl           TEXT NOT NULL,
    pharmacy      TEXT NOT NULL,
    competence    TEXT NOT NULL CHECK (competence GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
    bundle        TEXT NOT NULL CHECK (bundle IN ('REGFUS', 'REGFUS-D')),
    sheets        INTEGER NOT NULL CHECK (sheets >= 0),
    gross_cents   INTEGER NOT NULL,
    ticket_cents  INTEGER NOT NULL,
    extra         TEXT CHECK (extra IS NULL OR json_valid(extra)),
    PRIMARY KEY (region, asl, pharmacy, competence, bundle)
) STRICT;

CREATE TABLE records (
    import_id           INTEGER NOT NULL REFERENCES imports (id),
    record_id           TEXT NOT NULL,
    region              TEXT NOT NULL,
    asl                 TEXT NOT NULL,
    pharmacy            TEXT NOT NULL,
    competence          TEXT NOT NULL CHECK (competence GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
    dispensed_on        TEXT NOT NULL CHECK (dispensed_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    prescription        TEXT NOT NULL,
    aic                 TEXT NOT NULL,
    targatura           TEXT NOT NULL,
    sheet               TEXT,
    slot                INTEGER CHECK (slot BETWEEN 1 AND 28),
    state               TEXT NOT NULL CHECK (state IN ('closed', 'suspended')),
    closed_on           TEXT CHECK (closed_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    signature           TEXT NOT NULL CHECK (signature IN ('digital', 'manual', 'none')),
    signed_document_id  TEXT,
    extra               TEXT CHECK (extra IS NULL OR json_valid(extra)),
    PRIMARY KEY (region, asl, pharmacy, competence, record_id)
) STRICT;
CREATE INDEX records_targatura ON records (targatura);

CREATE TABLE reconciliations (
    region       TEXT NOT NULL,
    asl          TEXT NOT NULL,
    pharmacy     TEXT NOT NULL,
    competence   TEXT NOT NULL,
    report       TEXT NOT NULL CHECK (json_valid(report)),
    computed_at  INTEGER NOT NULL,
    PRIMARY KEY (region, asl, pharmacy, competence)
) STRICT;

CREATE TABLE review_items (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    page_id      INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    slot         INTEGER CHECK (slot BETWEEN 1 AND 28),
    field        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    value        TEXT CHECK (value IS NULL OR json_valid(value)),
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    created_at   INTEGER NOT NULL,
    resolved_at  INTEGER
) STRICT;
CREATE INDEX review_items_page ON review_items (page_id);
CREATE INDEX review_items_open ON review_items (id) WHERE status = 'open';

CREATE TABLE corrections (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id  INTEGER NOT NULL REFERENCES review_items (id) ON DELETE CASCADE,
    key_id   TEXT REFERENCES api_keys (id),
    at       INTEGER NOT NULL,
    before   TEXT CHECK (before IS NULL OR json_valid(before)),
    after    TEXT NOT NULL CHECK (json_valid(after)),
    note     TEXT
) STRICT;
CREATE INDEX corrections_item ON corrections (item_id);
