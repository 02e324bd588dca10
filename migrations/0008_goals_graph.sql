-- The goals-graph read model, built from facts by its own projection (projections/goals_graph):
-- goals and dependencies as clients see them, with the derived blocked state, and the status
-- history of every goal. Rebuilt on its own (aimi-admin rebuild goals_graph).
CREATE TABLE IF NOT EXISTS goals_graph_goals (
    user_id        uuid        NOT NULL,
    goal_id        uuid        NOT NULL,
    title          text        NOT NULL,
    title_norm     text        NOT NULL,
    description    text,
    category       text        NOT NULL,
    priority       smallint    NOT NULL CHECK (priority BETWEEN 1 AND 5),
    status         text        NOT NULL CHECK (status IN ('active', 'done', 'cancelled', 'archived')),
    blocked        boolean     NOT NULL DEFAULT false,
    deadline       date,
    estimated_days integer,
    metadata       jsonb       NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    completed_at   timestamptz,
    archived_at    timestamptz,
    PRIMARY KEY (user_id, goal_id)
);
CREATE INDEX IF NOT EXISTS ix_goals_graph_goals_status ON goals_graph_goals (user_id, status, deadline);
CREATE INDEX IF NOT EXISTS ix_goals_graph_goals_title ON goals_graph_goals (user_id, title_norm);

CREATE TABLE IF NOT EXISTS goals_graph_dependencies (
    user_id           uuid        NOT NULL,
    dependency_id     uuid        NOT NULL,
    parent_goal_id    uuid        NOT NULL,
    dependent_goal_id uuid        NOT NULL,
    type              text        NOT NULL,
    strength          smallint    NOT NULL,
    notes             text,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (user_id, dependency_id)
);
CREATE INDEX IF NOT EXISTS ix_goals_graph_dependencies_parent ON goals_graph_dependencies (user_id, parent_goal_id);
CREATE INDEX IF NOT EXISTS ix_goals_graph_dependencies_dependent
    ON goals_graph_dependencies (user_id, dependent_goal_id);

-- One row per status change and per blocked/unblocked fact, in stream order.
CREATE TABLE IF NOT EXISTS goals_graph_history (
    user_id           uuid        NOT NULL,
    event_id          uuid        NOT NULL,
    goal_id           uuid        NOT NULL,
    stream_version    bigint      NOT NULL,
    change            text        NOT NULL,
    status            text        NOT NULL,
    blocked           boolean     NOT NULL,
    caused_by_goal_id uuid,
    at                timestamptz NOT NULL,
    PRIMARY KEY (user_id, event_id)
);
CREATE INDEX IF NOT EXISTS ix_goals_graph_history_goal ON goals_graph_history (user_id, goal_id, stream_version);
