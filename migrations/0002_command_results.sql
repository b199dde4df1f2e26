-- Outcomes of commands, for callers that were told "accepted, pending" and look the outcome up
-- later (GET /v1/commands/{id}). Filled from sentinel.command-results; the first answer for a
-- command id is its outcome (later ones are duplicates of it), so rows are never updated.
CREATE TABLE command_results (
  command_id   text        PRIMARY KEY,
  aggregate_id text        NOT NULL,
  command_type text        NOT NULL,
  status       text        NOT NULL CHECK (status IN ('accepted', 'rejected', 'conflict', 'invalid')),
  version      integer     NOT NULL,
  result       jsonb       NOT NULL,
  processed_at timestamptz NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX command_results_aggregate ON command_results (aggregate_id, processed_at);
