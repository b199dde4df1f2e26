-- The audit read model (issue 7), written only by the `audit` projection from EVERY event topic
-- (deployments, policies, access). Same layout and rebuild switch as migrations/0003: the
-- projection owns the schema `read_audit`.
--
-- One row per event with its Kafka coordinates, so the log itself can answer for it: the
-- state-as-of endpoint fetches exactly an aggregate's records by (topic, partition, offset)
-- instead of scanning the partition, and the audit search, the compliance report and the
-- evidence packs read these columns. Every value comes from the event (its CloudEvents headers
-- and its data, upcast to the latest schema), so a rebuild from offset 0 gives the same rows.
--
-- cluster/namespace/team are a deployment's placement, known from its DeploymentCreated and kept
-- in `placements`; events of a deployment before that one (a refused create) and events of
-- other contexts have NULL there.

CREATE SCHEMA read_audit;

CREATE TABLE read_audit.events (
  topic          text        NOT NULL,
  partition      integer     NOT NULL,
  "offset"       bigint      NOT NULL,
  context        text        NOT NULL CHECK (context IN ('deployments', 'policies', 'access')),
  -- Short name within the context, e.g. DeploymentScaled.
  event_type     text        NOT NULL,
  -- ce_id
  event_id       text        NOT NULL,
  -- ce_subject
  aggregate_id   text        NOT NULL,
  version        integer     NOT NULL,
  -- ce_time
  at             timestamptz NOT NULL,
  actor          text        NOT NULL,
  correlation_id text        NOT NULL,
  -- The command id that produced the event.
  causation_id   text        NOT NULL,
  hash           text        NOT NULL,
  previous_hash  text        NOT NULL,
  cluster        text        NULL,
  team           text        NULL,
  namespace      text        NULL,
  data           jsonb       NOT NULL,
  PRIMARY KEY (topic, partition, "offset")
);
CREATE INDEX events_by_aggregate ON read_audit.events (aggregate_id, version);
-- Keyset pagination of the audit search, oldest first.
CREATE INDEX events_by_at ON read_audit.events (at, topic, partition, "offset");
CREATE INDEX events_by_actor ON read_audit.events (actor, at);
CREATE INDEX events_by_type ON read_audit.events (event_type, at);
CREATE INDEX events_by_cluster ON read_audit.events (cluster, at);
CREATE INDEX events_by_causation ON read_audit.events (causation_id);

-- Where each deployment runs, from its DeploymentCreated (placement never changes afterwards).
CREATE TABLE read_audit.placements (
  aggregate_id text PRIMARY KEY,
  cluster      text NOT NULL,
  namespace    text NOT NULL,
  team         text NOT NULL,
  name         text NOT NULL
);
