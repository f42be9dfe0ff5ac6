#!/usr/bin/env bash
# Starts the machine's PostgreSQL 15 and exports BASKETRY_TEST_POSTGRES_URL for the store suite.
#
# Meant to be `source`d by .ci/run (it exports a variable), but also runs on its own:
#   source Scripts/ci/start-postgres.sh      # or: bash Scripts/ci/start-postgres.sh
# Idempotent: starting a running cluster, or creating an existing role or database, is a no-op.
# Fails loudly (non-zero status, message on stderr) when PostgreSQL cannot be started.

_basketry_pg_fail() {
  echo "start-postgres: $*" >&2
  return 1 2>/dev/null || exit 1
}

_basketry_pg_main() {
  local version="${BASKETRY_PG_VERSION:-15}"
  local cluster="${BASKETRY_PG_CLUSTER:-main}"
  local port="${BASKETRY_PG_PORT:-5432}"
  local as_postgres=(su postgres -s /bin/sh -c)

  if ! command -v pg_isready >/dev/null 2>&1 && [ ! -x "/usr/lib/postgresql/$version/bin/pg_ctl" ]; then
    _basketry_pg_fail "PostgreSQL $version is not installed (apt-get install -y postgresql-$version)" || return 1
  fi
  if [ "$(id -u)" != "0" ]; then
    _basketry_pg_fail "must run as root to start the cluster (running as $(id -un))" || return 1
  fi

  if ! pg_isready -h 127.0.0.1 -p "$port" -q 2>/dev/null; then
    echo "start-postgres: starting PostgreSQL $version/$cluster" >&2
    if command -v pg_ctlcluster >/dev/null 2>&1; then
      pg_ctlcluster "$version" "$cluster" start 2>&1 | grep -v 'already running' >&2 || true
    else
      service postgresql start >&2 || true
    fi
  fi

  local tries=0
  until pg_isready -h 127.0.0.1 -p "$port" -q 2>/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -gt 60 ]; then
      _basketry_pg_fail "PostgreSQL did not become ready on 127.0.0.1:$port within 30 s" || return 1
    fi
    sleep 0.5
  done

  # Role and database (idempotent).
  "${as_postgres[@]}" "psql -v ON_ERROR_STOP=1 -q -d postgres" >/dev/null <<'SQL' || _basketry_pg_fail "could not create role basketry" || return 1
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'basketry') THEN
    CREATE ROLE basketry LOGIN PASSWORD 'basketry';
  ELSE
    ALTER ROLE basketry LOGIN PASSWORD 'basketry';
  END IF;
END
$$;
SQL
  # A test database starts empty: with BASKETRY_PG_FRESH=1 (CI sets it) an existing one is dropped first,
  # so data left by earlier runs or load scripts on the same machine cannot slow or skew the suite.
  # A second database, basketry_serving, holds the served-model tests' data, whose published models must not
  # race with the replica tests' on the first; a third, basketry_migrations, is the schema-upgrade test's own
  # (it briefly records a version from the future, which every other migrate would refuse).
  local db
  for db in basketry basketry_serving basketry_migrations; do
    if [ "${BASKETRY_PG_FRESH:-${CI:-}}" = "1" ] || [ "${BASKETRY_PG_FRESH:-${CI:-}}" = "true" ]; then
      "${as_postgres[@]}" "dropdb --if-exists --force $db" >&2 || _basketry_pg_fail "could not drop database $db" || return 1
    fi
    if ! "${as_postgres[@]}" "psql -tAq -d postgres -c \"SELECT 1 FROM pg_database WHERE datname = '$db'\"" | grep -q 1; then
      "${as_postgres[@]}" "createdb -O basketry $db" || _basketry_pg_fail "could not create database $db" || return 1
    fi
  done

  export BASKETRY_TEST_POSTGRES_URL="postgres://basketry:basketry@127.0.0.1:$port/basketry"
  export BASKETRY_TEST_POSTGRES_SERVING_URL="postgres://basketry:basketry@127.0.0.1:$port/basketry_serving"
  export BASKETRY_TEST_POSTGRES_MIGRATIONS_URL="postgres://basketry:basketry@127.0.0.1:$port/basketry_migrations"
  if ! PGPASSWORD=basketry psql -h 127.0.0.1 -p "$port" -U basketry -d basketry -tAq -c 'SELECT 1' >/dev/null; then
    _basketry_pg_fail "cannot log in as basketry on 127.0.0.1:$port (check pg_hba.conf for md5/scram on host)" || return 1
  fi
  echo "start-postgres: ready; BASKETRY_TEST_POSTGRES_URL=$BASKETRY_TEST_POSTGRES_URL" >&2
}

_basketry_pg_main "$@"
