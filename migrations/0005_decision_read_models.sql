-- Read model of policy decisions (DESIGN.md §1.3, §4), written only by the `decisions` projection
-- from the PolicyEvaluated events on sentinel.deployments.events. Same layout and rebuild switch
-- as migrations/0003 (docs/adr/0006): the projection owns the schema `read_decisions`.
--
-- A row keeps every input of the decision, so a what-if can re-evaluate it without the log:
-- `policies` holds the recorded [{policyId, version, definition}] with each definition as its
-- exact canonical text (a JSON string, not an object), and `facts` is the exact text recorded
-- (it may not even be JSON when the edge sent garbage; the decision then denied).
--
-- `at` is the decision's own `now`; rate-limit facts are counted from it, e.g.
--   select at from read_decisions.decisions
--   where outcome <> 'denied' and actor = $1 and at > $2 and at <= $3

CREATE SCHEMA read_decisions;

CREATE TABLE read_decisions.decisions (
  decision_id       text        PRIMARY KEY,
  deployment_id     text        NOT NULL,
  deployment_name   text,
  action            text        NOT NULL,
  actor             text        NOT NULL,
  cluster           text,
  namespace         text,
  team              text,
  outcome           text        NOT NULL CHECK (outcome IN ('allowed', 'denied', 'would_deny')),
  at                timestamptz NOT NULL,
  -- Policies that applied (result other than not_applicable), for `?policy=` through the GIN index.
  policy_ids        text[]      NOT NULL,
  policies          jsonb       NOT NULL,
  request           jsonb       NOT NULL,
  facts             text        NOT NULL,
  results           jsonb       NOT NULL,
  reasons           jsonb       NOT NULL,
  tzdata            text        NOT NULL,
  event_topic       text        NOT NULL,
  event_partition   integer     NOT NULL,
  event_offset      bigint      NOT NULL,
  aggregate_version integer     NOT NULL
);
-- Keyset pagination (newest first) and the what-if range scan.
CREATE INDEX decisions_by_at ON read_decisions.decisions (at, decision_id);
CREATE INDEX decisions_by_actor ON read_decisions.decisions (actor, at);
CREATE INDEX decisions_by_cluster ON read_decisions.decisions (cluster, at);
CREATE INDEX decisions_by_outcome ON read_decisions.decisions (outcome, at);
CREATE INDEX decisions_by_policy ON read_decisions.decisions USING gin (policy_ids);
