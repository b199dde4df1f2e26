-- Read models of the policies context (DESIGN.md §4), written only by the `policies` projection
-- from sentinel.policies.events; times and actors come from the events, so a rebuild from offset
-- 0 yields the same rows. Same layout and rebuild switch as migrations/0003: the projection owns
-- the schema `read_policies`.
--
-- `version` is the policy version (1..n, a new one per published definition), which decisions
-- record; `aggregate_version` counts every event, rejections included, and is what If-Match
-- must name.

CREATE SCHEMA read_policies;

CREATE TABLE read_policies.policies (
  id                text        PRIMARY KEY,
  name              text        NOT NULL,
  priority          integer     NOT NULL,
  mode              text        NOT NULL CHECK (mode IN ('enforce', 'dry_run')),
  enabled           boolean     NOT NULL,
  status            text        NOT NULL CHECK (status IN ('Active', 'Deleted')),
  version           integer     NOT NULL CHECK (version >= 1),
  aggregate_version integer     NOT NULL CHECK (aggregate_version >= 1),
  -- The validated body {name, priority, mode, selector, rule} of the current version.
  definition        jsonb       NOT NULL,
  created_at        timestamptz NOT NULL,
  created_by        text        NOT NULL,
  updated_at        timestamptz NOT NULL,
  updated_by        text        NOT NULL
);
-- Keyset pagination is ordered by (name, id).
CREATE INDEX policies_by_name ON read_policies.policies (name, id);

-- Every version a policy has had, so a recorded decision's policy version can be looked up.
CREATE TABLE read_policies.policy_versions (
  policy_id         text        NOT NULL,
  version           integer     NOT NULL CHECK (version >= 1),
  priority          integer     NOT NULL,
  mode              text        NOT NULL,
  definition        jsonb       NOT NULL,
  aggregate_version integer     NOT NULL,
  created_at        timestamptz NOT NULL,
  created_by        text        NOT NULL,
  PRIMARY KEY (policy_id, version)
);
