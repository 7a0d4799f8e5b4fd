-- regfus schema v1 (PostgreSQL). Mirrors store/sqlite/migrations/0001_init.sql;
-- the meaning of every column is documented in package store.

CREATE TABLE api_keys (
    id          text PRIMARY KEY,
    hash        bytea NOT NULL UNIQUE,           -- sha256 of the secret; the secret is never stored
    role        text NOT NULL CHECK (role IN ('station', 'pharmacy', 'validator', 'admin')),
    region      text CHECK (region ~ '^[0-9]{3}$'),
    asl         text CHECK (asl ~ '^[0-9]{3}$'),
    pharmacy    text CHECK (pharmacy ~ '^[0-9]{5}$'),
    label       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);

-- A batch keeps its uploader's scope: who may see it is decided on these.
CREATE TABLE batches (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_key_id  text REFERENCES api_keys (id),
    region        text,
    asl           text,
    pharmacy      text,
    created_at    timestamptz NOT NULL
);

-- Originals, content-addressed; the bytes live in the blob directory.
CREATE TABLE files (
    sha256      text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    name        text NOT NULL,                   -- name at first upload
    size        bigint NOT NULL CHECK (size >= 0),
    media_type  text NOT NULL,
    blob_path   text NOT NULL,
    pages       integer NOT NULL CHECK (pages >= 1),
    created_at  timestamptz NOT NULL
);

-- Which files each batch uploaded (a file may be in many batches).
CREATE TABLE batch_files (
    batch_id     bigint NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    file_sha256  text NOT NULL REFERENCES files (sha256),
    position     integer NOT NULL,
    name         text NOT NULL,                  -- name in this upload
    PRIMARY KEY (batch_id, file_sha256)
);
CREATE INDEX batch_files_file ON batch_files (file_sha256);

-- One row per page of a file: processed once, shared by every batch with the file.
CREATE TABLE pages (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id        bigint NOT NULL REFERENCES batches (id),  -- the upload that created it
    file_sha256     text NOT NULL REFERENCES files (sha256),
    page_index      integer NOT NULL CHECK (page_index >= 1),
    state           text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    status          text CHECK (status IN ('ok', 'review', 'rejected')),
    result          jsonb,                       -- page.Result
    layout_version  integer,
    error           text,
    attempts        integer NOT NULL DEFAULT 0,
    lease_token     text,
    lease_until     timestamptz,
    queued_at       timestamptz NOT NULL,
    started_at      timestamptz,
    finished_at     timestamptz,
    millis          bigint,
    UNIQUE (file_sha256, page_index),
    CHECK ((state = 'done') = (status IS NOT NULL AND result IS NOT NULL))
);
CREATE INDEX pages_claimable ON pages (id) WHERE state IN ('queued', 'running');
CREATE INDEX pages_batch ON pages (batch_id);

-- What was read in each slot (derived from pages.result, for querying).
CREATE TABLE slots (
    page_id     bigint NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    slot        integer NOT NULL CHECK (slot BETWEEN 1 AND 28),
    state       text NOT NULL CHECK (state IN ('filled', 'empty', 'unreadable')),
    aic         text,
    targatura   text,
    confidence  double precision NOT NULL,
    flags       jsonb NOT NULL,
    PRIMARY KEY (page_id, slot)
);
CREATE INDEX slots_targatura ON slots (targatura) WHERE targatura IS NOT NULL;

-- The sheet identity read from a page (derived from pages.result), when
-- region, ASL and pharmacy were read.
CREATE TABLE sheets (
    page_id         bigint PRIMARY KEY REFERENCES pages (id) ON DELETE CASCADE,
    code            text,
    tail_code       text,
    region          text NOT NULL,
    asl             text NOT NULL,
    pharmacy        text NOT NULL,
    competence      text CHECK (competence ~ '^[0-9]{4}-[0-9]{2}$'),
    progressive     text,
    dispensario     boolean NOT NULL,
    declared_count  integer,
    date            text
);
CREATE INDEX sheets_group ON sheets (region, asl, pharmacy, competence);

CREATE TABLE imports (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('declarations', 'records')),
    key_id      text REFERENCES api_keys (id),
    source      text NOT NULL,
    row_count   integer NOT NULL,
    created_at  timestamptz NOT NULL
);

-- DCR REGFUS declarations (SPEC 4). Amounts in euro cents.
CREATE TABLE declarations (
    import_id     bigint NOT NULL REFERENCES imports (id),
    region        text NOT NULL,
    asl           text NOT NULL,
    pharmacy      text NOT NULL,
    competence    text NOT NULL CHECK (competence ~ '^[0-9]{4}-[0-9]{2}$'),
    bundle        text NOT NULL CHECK (bundle IN ('REGFUS', 'REGFUS-D')),
    sheets        integer NOT NULL CHECK (sheets >= 0),
    gross_cents   bigint NOT NULL,
    ticket_cents  bigint NOT NULL,
    extra         jsonb,
    PRIMARY KEY (region, asl, pharmacy, competence, bundle)
);

-- Dispensing records (SPEC 4).
CREATE TABLE records (
    import_id           bigint NOT NULL REFERENCES imports (id),
    record_id           text NOT NULL,
    region              text NOT NULL,
    asl                 text NOT NULL,
    pharmacy            text NOT NULL,
    competence          text NOT NULL CHECK (competence ~ '^[0-9]{4}-[0-9]{2}$'),
    dispensed_on        text NOT NULL CHECK (dispensed_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    prescription        text NOT NULL,
    aic                 text NOT NULL,
    targatura           text NOT NULL,
    sheet               text,
    slot                integer CHECK (slot BETWEEN 1 AND 28),
    state               text NOT NULL CHECK (state IN ('closed', 'suspended')),
    closed_on           text CHECK (closed_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    signature           text NOT NULL CHECK (signature IN ('digital', 'manual', 'none')),
    signed_document_id  text,
    extra               jsonb,
    PRIMARY KEY (region, asl, pharmacy, competence, record_id)
);
CREATE INDEX records_targatura ON records (targatura);

CREATE TABLE reconciliations (
    region       text NOT NULL,
    asl          text NOT NULL,
    pharmacy     text NOT NULL,
    competence   text NOT NULL,
    report       jsonb NOT NULL,
    computed_at  timestamptz NOT NULL,
    PRIMARY KEY (region, asl, pharmacy, competence)
);

CREATE TABLE review_items (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    page_id      bigint NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    slot         integer CHECK (slot BETWEEN 1 AND 28),   -- NULL: page-level field
    field        text NOT NULL,
    reason       text NOT NULL,
    value        jsonb,                                   -- what the machine read
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    created_at   timestamptz NOT NULL,
    resolved_at  timestamptz
);
CREATE INDEX review_items_page ON review_items (page_id);
CREATE INDEX review_items_open ON review_items (id) WHERE status = 'open';

CREATE TABLE corrections (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id  bigint NOT NULL REFERENCES review_items (id) ON DELETE CASCADE,
    key_id   text REFERENCES api_keys (id),
    at       timestamptz NOT NULL,
    before   jsonb,
    after    jsonb NOT NULL,
    note     text
);
CREATE INDEX corrections_item ON corrections (item_id);
