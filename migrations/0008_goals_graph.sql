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
    -- Precomputed by the projection from the whole graph (domain/goals/graph_metrics.hpp):
    level           integer NOT NULL DEFAULT 0,  -- longest chain of open prerequisites
    critical_days   bigint  NOT NULL DEFAULT 0,  -- longest chain of open goals ending here, in days
    critical_via    uuid,                        -- the prerequisite on that chain
    would_unblock   integer NOT NULL DEFAULT 0,  -- open goals it alone still blocks
    open_children   integer NOT NULL DEFAULT 0,  -- open goals directly after it
    PRIMARY KEY (user_id, goal_id)
);
CREATE INDEX IF NOT EXISTS ix_goals_graph_goals_plan
    ON goals_graph_goals (user_id, level, priority, coalesce(deadline, 'infinity'::date), goal_id) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS ix_goals_graph_goals_bottlenecks
    ON goals_graph_goals (user_id, would_unblock DESC, open_children DESC, goal_id) WHERE status = 'active';
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

-- Tasks and problems (seed 002). A task entering done gets completed_at; leaving done clears it.
CREATE TABLE IF NOT EXISTS goals_graph_tasks (
    user_id              uuid        NOT NULL,
    task_id              uuid        NOT NULL,
    title                text        NOT NULL,
    title_norm           text        NOT NULL,
    notes                text,
    status               text        NOT NULL CHECK (status IN ('open', 'blocked', 'done', 'archived')),
    priority             smallint CHECK (priority BETWEEN 1 AND 4),
    impact               smallint CHECK (impact BETWEEN 1 AND 5),
    due_date             date,
    source_inbox_item_id uuid,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    completed_at         timestamptz,
    PRIMARY KEY (user_id, task_id)
);
CREATE INDEX IF NOT EXISTS ix_goals_graph_tasks_status ON goals_graph_tasks (user_id, status, due_date);
CREATE INDEX IF NOT EXISTS ix_goals_graph_tasks_title ON goals_graph_tasks (user_id, title_norm);

CREATE TABLE IF NOT EXISTS goals_graph_problems (
    user_id     uuid        NOT NULL,
    problem_id  uuid        NOT NULL,
    title       text        NOT NULL,
    title_norm  text        NOT NULL,
    description text,
    status      text        NOT NULL CHECK (status IN ('active', 'monitoring', 'resolved', 'archived')),
    severity    smallint CHECK (severity BETWEEN 1 AND 5),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (user_id, problem_id)
);
CREATE INDEX IF NOT EXISTS ix_goals_graph_problems_status ON goals_graph_problems (user_id, status);

CREATE TABLE IF NOT EXISTS goals_graph_habits (
    user_id    uuid        NOT NULL,
    habit_id   uuid        NOT NULL,
    name       text        NOT NULL,
    frequency  text        NOT NULL,  -- an RFC 5545 RRULE
    intensity  smallint    NOT NULL CHECK (intensity BETWEEN 1 AND 5),
    goal_id    uuid,
    status     text        NOT NULL CHECK (status IN ('active', 'archived')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, habit_id)
);

CREATE TABLE IF NOT EXISTS goals_graph_links (
    user_id    uuid        NOT NULL,
    link_id    uuid        NOT NULL,
    from_type  text        NOT NULL,
    from_id    uuid        NOT NULL,
    to_type    text        NOT NULL,
    to_id      uuid        NOT NULL,
    link_type  text        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, link_id)
);
CREATE INDEX IF NOT EXISTS ix_goals_graph_links_from ON goals_graph_links (user_id, from_id);
CREATE INDEX IF NOT EXISTS ix_goals_graph_links_to ON goals_graph_links (user_id, to_id);

-- One row per status change of a goal, task, problem or habit, and per blocked/unblocked fact, in stream order.
CREATE TABLE IF NOT EXISTS goals_graph_history (
    user_id           uuid        NOT NULL,
    event_id          uuid        NOT NULL,
    entity_type       text        NOT NULL CHECK (entity_type IN ('goal', 'task', 'problem', 'habit')),
    entity_id         uuid        NOT NULL,
    stream_version    bigint      NOT NULL,
    change            text        NOT NULL,
    status            text        NOT NULL,
    blocked           boolean     NOT NULL,
    caused_by_goal_id uuid,
    at                timestamptz NOT NULL,
    PRIMARY KEY (user_id, event_id)
);
CREATE INDEX IF NOT EXISTS ix_goals_graph_history_entity ON goals_graph_history (user_id, entity_id, stream_version);

-- Per user: a version (facts applied to the graph) and a compact snapshot of the ordering edges
-- with each goal's status, for the transitive queries (prerequisites, dependents):
-- {"ids":[goal ids], "status":"a|d|c|x per goal", "blocked":"0|1 per goal", "edges":[parent, dependent, ... as indices]}.
CREATE TABLE IF NOT EXISTS goals_graph_users (
    user_id  uuid   PRIMARY KEY,
    version  bigint NOT NULL,
    snapshot text   NOT NULL
);
