-- Read models of the deployments context (DESIGN.md §4), written only by the `deployments`
-- projection from sentinel.deployments.events; every time and actor comes from the events, so a
-- rebuild from offset 0 yields the same rows.
--
-- Layout and rebuild switch: each projection owns one schema, `read_<projection>`, holding its
-- tables; its checkpoints stay in projection_checkpoints under the projection's name.
-- `sentinel projections rebuild <name>` clones the table definitions into `read_<name>_next`
-- (indexes and constraints keep their names), replays the log into it under the checkpoint
-- name `<name>:rebuild`, never passing the live checkpoints, and then, in ONE transaction that
-- holds the projection's switch lock (live writers take it shared per batch), renames
-- `read_<name>` to `read_<name>_old` and `read_<name>_next` to `read_<name>`, and moves the
-- checkpoints. Queries take no lock: they read the old tables until the commit and the new ones
-- after it. The old schema is dropped afterwards. Later migrations alter `read_<name>.*` in
-- place; a rebuild copies whatever shape the live tables have.

CREATE SCHEMA read_deployments;

-- Desired state, one row per deployment; the observed_* columns are filled by status events.
CREATE TABLE read_deployments.deployments (
  id                      text             PRIMARY KEY,
  name                    text             NOT NULL,
  cluster                 text             NOT NULL,
  namespace               text             NOT NULL,
  kind                    text             NOT NULL,
  team                    text             NOT NULL,
  labels                  jsonb            NOT NULL,
  image                   text             NOT NULL,
  env                     jsonb            NOT NULL,
  resources               jsonb            NOT NULL,
  priority_class          text             NOT NULL,
  replicas                integer          NOT NULL CHECK (replicas >= 0),
  revision                integer          NOT NULL CHECK (revision >= 1),
  status                  text             NOT NULL CHECK (status IN ('Active', 'Deleted')),
  cost_per_replica_hour   double precision NOT NULL,
  -- The aggregate version, rejections included: what If-Match must name.
  version                 integer          NOT NULL CHECK (version >= 1),
  created_at              timestamptz      NOT NULL,
  created_by              text             NOT NULL,
  updated_at              timestamptz      NOT NULL,
  updated_by              text             NOT NULL,
  observed_ready_replicas integer,
  observed_revision       integer,
  observed_phase          text,
  observed_conditions     jsonb,
  observed_at             timestamptz,
  last_apply_error        text
);
-- Keyset pagination is ordered by (name, id); the filters lead where they are selective.
CREATE INDEX deployments_by_name ON read_deployments.deployments (name, id);
CREATE INDEX deployments_by_placement ON read_deployments.deployments (cluster, namespace, name, id);
CREATE INDEX deployments_by_team ON read_deployments.deployments (team, name, id);

-- Every pod template a deployment has had; a rollback is a new revision restoring an older one.
CREATE TABLE read_deployments.deployment_revisions (
  deployment_id          text        NOT NULL,
  revision               integer     NOT NULL CHECK (revision >= 1),
  image                  text        NOT NULL,
  env                    jsonb       NOT NULL,
  resources              jsonb       NOT NULL,
  cause                  text        NOT NULL CHECK (cause IN ('created', 'updated', 'rolled_back')),
  -- For cause rolled_back: the earlier revision whose template this one restores.
  restored_from_revision integer     CHECK ((cause = 'rolled_back') = (restored_from_revision IS NOT NULL)),
  version                integer     NOT NULL,
  created_at             timestamptz NOT NULL,
  created_by             text        NOT NULL,
  PRIMARY KEY (deployment_id, revision)
);

-- Every event of every deployment, rejections included: the audit trail as a table.
CREATE TABLE read_deployments.deployment_history (
  deployment_id  text        NOT NULL,
  version        integer     NOT NULL,
  type           text        NOT NULL,
  data           jsonb       NOT NULL,
  actor          text        NOT NULL,
  occurred_at    timestamptz NOT NULL,
  correlation_id text        NOT NULL,
  causation_id   text        NOT NULL,
  event_id       text        NOT NULL UNIQUE,
  topic          text        NOT NULL,
  partition      integer     NOT NULL,
  event_offset   bigint      NOT NULL,
  PRIMARY KEY (deployment_id, version)
);
