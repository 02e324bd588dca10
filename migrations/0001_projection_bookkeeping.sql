-- Bookkeeping shared by every projection in this schema. Applied with search_path set to the
-- read-model schema (see `aimi-admin migrate --schema`), so a projection can be rebuilt into a
-- fresh schema beside the serving one.

-- Next Kafka offset to apply per (projection, topic, partition); written in the same transaction
-- as the rows a batch produced, which is what makes a projection exactly-once.
CREATE TABLE IF NOT EXISTS projection_offsets (
    projection  text        NOT NULL,
    topic       text        NOT NULL,
    partition   integer     NOT NULL CHECK (partition >= 0),
    next_offset bigint      NOT NULL CHECK (next_offset >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, topic, partition)
);

-- Records a projection could not decode (poison events). Kept, never silently dropped.
CREATE TABLE IF NOT EXISTS dead_letters (
    id          bigserial   PRIMARY KEY,
    projection  text        NOT NULL,
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    "offset"    bigint      NOT NULL,
    record_key  text,
    payload     bytea       NOT NULL,
    error       text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (projection, topic, partition, "offset")
);
