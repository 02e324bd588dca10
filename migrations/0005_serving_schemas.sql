-- Which schema serves each read model built from facts, in the main schema. A projection without
-- a row is served from the main schema itself. `aimi-admin rebuild --switch` moves it: gateways
-- query the new schema and the projection's projectors continue there, with no restart.
CREATE TABLE IF NOT EXISTS serving_schemas (
    projection  text        PRIMARY KEY,
    schema_name text        NOT NULL,
    switched_at timestamptz NOT NULL DEFAULT now()
);
