#!/usr/bin/env bash
# PostgreSQL roles and schemas for Huiwu, as services/common/roles.py makes them: each
# service's role owns its schema only; the admin role (the `huiwu` command line) owns the
# identity schema, which every service role may read and none may write.
#
# docker-compose's PostgreSQL runs it when its volume is first created
# (/docker-entrypoint-initdb.d/). Idempotent; on an existing volume run it again with
#   docker-compose exec postgres /docker-entrypoint-initdb.d/10-huiwu-roles.sh
# It also hands a schema made by an older version (and its contents) to the service's role.
#
# Environment: POSTGRES_USER and POSTGRES_DB (a superuser and the database), a password
# per role in HUIWU_DATABASE_PASSWORD_<SERVICE> and HUIWU_DATABASE_PASSWORD_ADMIN,
# HUIWU_DATABASE_ROLE_PREFIX (default huiwu_) and HUIWU_SCHEMA_PREFIX (default empty).
set -euo pipefail

# The registry's services (services/registry.py; a test keeps the two lists equal).
HUIWU_SERVICES="registration budget vendors speakers checklist reporting"

role_prefix="${HUIWU_DATABASE_ROLE_PREFIX:-huiwu_}"
schema_prefix="${HUIWU_SCHEMA_PREFIX:-}"

run_psql() {
    psql -v ON_ERROR_STOP=1 -X -q --username "${POSTGRES_USER:?}" --dbname "${POSTGRES_DB:?}" "$@"
}

password_of() {
    local variable="HUIWU_DATABASE_PASSWORD_${1^^}"
    if [[ -z "${!variable:-}" ]]; then
        echo "init-roles: set $variable (the password of role ${role_prefix}$1)" >&2
        return 1
    fi
    printf '%s' "${!variable}"
}

# A login role with no powers beyond its own objects, and its password.
make_role() {
    run_psql -v role="$1" -v password="$2" <<'SQL'
SELECT format('CREATE ROLE %I', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD %L',
              :'role', :'password') \gexec
SQL
}

# A schema owned by the role, with every table, sequence, view and type in it.
own_schema() {
    run_psql -v schema="$1" -v role="$2" <<'SQL'
SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', :'schema', :'role') \gexec
SELECT format('ALTER SCHEMA %I OWNER TO %I', :'schema', :'role') \gexec
SELECT format('ALTER %s %I.%I OWNER TO %I',
              CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                             WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
              :'schema', c.relname, :'role')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = :'schema' AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
   AND pg_get_userbyid(c.relowner) <> :'role'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                   AND d.objid = c.oid AND d.deptype IN ('a', 'i')) \gexec
SELECT format('ALTER TYPE %I.%I OWNER TO %I', :'schema', t.typname, :'role')
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  JOIN pg_class c ON c.oid = t.typrelid
 WHERE n.nspname = :'schema' AND t.typtype = 'c' AND c.relkind = 'c'
   AND pg_get_userbyid(t.typowner) <> :'role' \gexec
SQL
}

# Every service role reads the identity schema's tables, present and future ones.
grant_identity() {
    run_psql -v schema="$1" -v admin="$2" -v readers="$3" <<'SQL'
SELECT format('GRANT USAGE ON SCHEMA %I TO %s', :'schema', :'readers') \gexec
SELECT format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %s', :'schema', :'readers') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT ON TABLES TO %s',
              :'admin', :'schema', :'readers') \gexec
SQL
}

main() {
    local service password readers=""
    for service in $HUIWU_SERVICES admin; do
        password="$(password_of "$service")" || return 1
        make_role "${role_prefix}${service}" "$password"
    done
    for service in $HUIWU_SERVICES; do
        own_schema "${schema_prefix}${service}" "${role_prefix}${service}"
        readers="${readers:+$readers, }\"${role_prefix}${service}\""
    done
    own_schema "${schema_prefix}huiwu_identity" "${role_prefix}admin"
    grant_identity "${schema_prefix}huiwu_identity" "${role_prefix}admin" "$readers"
    echo "init-roles: roles ${role_prefix}{${HUIWU_SERVICES// /,},admin} own their schemas" >&2
}

main
