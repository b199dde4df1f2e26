#!/usr/bin/env bash
# Creates the stack's databases if missing. Shared by the native stack (stack/postgres.sh) and
# the Postgres container of docker-compose.yml (mounted into /docker-entrypoint-initdb.d).
set -euo pipefail
for db in ${POSTGRES_DATABASES:?set POSTGRES_DATABASES, e.g. "sentinel sentinel_test apicurio"}; do
  if [[ "$(psql -X -v ON_ERROR_STOP=1 -U "${POSTGRES_USER:-postgres}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]]; then
    psql -X -q -v ON_ERROR_STOP=1 -U "${POSTGRES_USER:-postgres}" -d postgres -c "CREATE DATABASE \"$db\""
    echo "created database $db"
  fi
done
