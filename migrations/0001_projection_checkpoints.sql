-- Where each projection has read to, per source partition. A projection writes its rows and
-- this checkpoint in one transaction, so a redelivered record is recognised and skipped
-- (DESIGN.md §4).
CREATE TABLE projection_checkpoints (
  projection  text    NOT NULL,
  topic       text    NOT NULL,
  partition   integer NOT NULL CHECK (partition >= 0),
  next_offset bigint  NOT NULL CHECK (next_offset >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (projection, topic, partition)
);
