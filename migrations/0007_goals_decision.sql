-- The goals graph's decision state, kept by the entity store (the decider): what its rules need
-- and nothing more. The goals-graph read model (0008) holds the goals as clients see them.
-- Rejections may name the goals, path or dependencies at fault.
ALTER TABLE batch_outcomes ADD COLUMN IF NOT EXISTS details jsonb NOT NULL DEFAULT '{}';

CREATE TABLE IF NOT EXISTS goal_nodes (
    user_id    uuid        NOT NULL,
    goal_id    uuid        NOT NULL,
    status     text        NOT NULL CHECK (status IN ('active', 'done', 'cancelled', 'archived')),
    title_norm text        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, goal_id)
);

-- Tasks, problems and habits (seed 002): kind and status, for the rules of later commands; and
-- the typed links between goals, tasks and problems.
CREATE TABLE IF NOT EXISTS goal_entities (
    user_id uuid NOT NULL,
    id      uuid NOT NULL,
    kind    text NOT NULL CHECK (kind IN ('task', 'problem', 'habit')),
    status  text NOT NULL,
    PRIMARY KEY (user_id, id)
);

CREATE TABLE IF NOT EXISTS goal_links (
    user_id   uuid NOT NULL,
    id        uuid NOT NULL,
    from_kind text NOT NULL,
    from_id   uuid NOT NULL,
    to_kind   text NOT NULL,
    to_id     uuid NOT NULL,
    type      text NOT NULL,
    PRIMARY KEY (user_id, id)
);

CREATE TABLE IF NOT EXISTS goal_edges (
    user_id           uuid     NOT NULL,
    dependency_id     uuid     NOT NULL,
    parent_goal_id    uuid     NOT NULL,
    dependent_goal_id uuid     NOT NULL,
    type              text     NOT NULL CHECK (type IN ('requires', 'enables', 'blocks', 'related', 'parallel')),
    strength          smallint NOT NULL CHECK (strength BETWEEN 1 AND 5),
    PRIMARY KEY (user_id, dependency_id),
    FOREIGN KEY (user_id, parent_goal_id) REFERENCES goal_nodes (user_id, goal_id),
    FOREIGN KEY (user_id, dependent_goal_id) REFERENCES goal_nodes (user_id, goal_id),
    CHECK (parent_goal_id <> dependent_goal_id)
);
