-- Facts the entity store decided, staged in the transaction that decided them (transactional
-- outbox). The fact relay publishes them to the facts topic in origin order and deletes them;
-- a row left here after a crash is published again (an identical copy consumers drop).
CREATE TABLE IF NOT EXISTS fact_outbox (
    origin_topic     text    NOT NULL,
    origin_partition integer NOT NULL CHECK (origin_partition >= 0),
    origin_offset    bigint  NOT NULL CHECK (origin_offset >= 0),
    record_key       text    NOT NULL,
    payload          text    NOT NULL,
    timestamp_ms     bigint  NOT NULL,  -- the intake record's Kafka timestamp, which the fact record takes too
    staged_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (origin_topic, origin_partition, origin_offset)
);
