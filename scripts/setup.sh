#!/usr/bin/env bash
# shellcheck shell=bash
# Set up a development machine for Huiwu, then activate the virtual environment.
#
#   source scripts/setup.sh
#
# Idempotent; every step is skipped when already done:
#   1. .venv: created with python3.11 (or a python3 that is 3.11) when missing;
#      `pip install -e ".[test]"` runs only when pyproject.toml changed since the last
#      install (hash kept in .venv/.huiwu-installed) or the project does not import.
#   2. RabbitMQ: must answer at the AMQP_URI host (default 127.0.0.1:5672); a local
#      broker is started with `rabbitmq-server -detached` when it does not answer.
#   3. Broker users: each service's RabbitMQ user (huiwu-<service>) and the auditor's,
#      with their permissions on AMQP_URI's virtual host, made by
#      `python -m huiwu.broker_users apply` (rabbitmqctl import_definitions; running it
#      again changes nothing). Passwords: HUIWU_BROKER_PASSWORD_<SERVICE>, else the
#      development default huiwu-<service>-dev. Local brokers only.
#   4. PostgreSQL: must answer at the HUIWU_DATABASE_URL host (default 127.0.0.1:5432);
#      a local cluster is started with pg_ctlcluster when it is down.
#   4. PostgreSQL roles, when HUIWU_DATABASE_URL is set: a role per service owning its
#      schema, the admin role owning the identity schema (python -m services.common.roles,
#      as the URL's user, a superuser; passwords from HUIWU_DATABASE_PASSWORD_<NAME>).
# Brokers and databases on another host are only checked, never started.
#
# Environment:
#   HUIWU_SETUP_SKIP_SERVICES=1   do step 1 only (no RabbitMQ or PostgreSQL checks)
#   HUIWU_PYTHON=/path/to/python  interpreter for a new .venv
#
# Returns non-zero (and says how to fix it) when a step fails. Safe to source from a
# shell with `set -euo pipefail`; it does not change the caller's shell options.

_huiwu_say() { printf 'setup: %s\n' "$*" >&2; }
_huiwu_fail() { printf 'setup: ERROR: %s\n' "$*" >&2; return 1; }

_huiwu_python_is_311() {
    "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' >/dev/null 2>&1
}

_huiwu_venv() {
    local root="$1" venv="$1/.venv" python="" candidate stamp want have=""
    if [[ -x "$venv/bin/python" ]] && ! _huiwu_python_is_311 "$venv/bin/python"; then
        _huiwu_say ".venv is broken or not Python 3.11; re-creating it"
        rm -rf "$venv" || return 1
    fi
    if [[ ! -x "$venv/bin/python" ]]; then
        for candidate in "${HUIWU_PYTHON:-}" python3.11 python3; do
            [[ -n "$candidate" ]] || continue
            if command -v "$candidate" >/dev/null 2>&1 && _huiwu_python_is_311 "$candidate"; then
                python="$candidate"
                break
            fi
        done
        if [[ -z "$python" ]]; then
            _huiwu_fail "Python 3.11 not found (tried \$HUIWU_PYTHON, python3.11, python3)." \
                "Install it (e.g. apt-get install python3.11 python3.11-venv) or set HUIWU_PYTHON."
            return 1
        fi
        _huiwu_say "creating .venv with $(command -v "$python")"
        "$python" -m venv "$venv" || { _huiwu_fail "could not create .venv (is the venv module installed?)"; return 1; }
    fi

    stamp="$venv/.huiwu-installed"
    want="$("$venv/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$root/pyproject.toml")" \
        || { _huiwu_fail "cannot read $root/pyproject.toml"; return 1; }
    [[ -f "$stamp" ]] && have="$(cat "$stamp")"
    if [[ "$want" != "$have" ]] || ! "$venv/bin/python" -I -c 'import huiwu, services' >/dev/null 2>&1; then
        _huiwu_say "installing the project: pip install -e \".[test]\""
        (cd "$root" && "$venv/bin/python" -m pip install --disable-pip-version-check -q -e ".[test]") \
            || { _huiwu_fail "pip install -e \".[test]\" failed (see above)"; return 1; }
        printf '%s\n' "$want" >"$stamp"
        _huiwu_say "installed; dependencies match pyproject.toml"
    else
        _huiwu_say ".venv up to date"
    fi
}

# Print "host port" of a URL, with a default port; "127.0.0.1 <default>" when unset.
_huiwu_endpoint() {
    "$VIRTUAL_ENV/bin/python" - "$1" "$2" <<'PY'
import sys
from urllib.parse import urlsplit

url, default_port = sys.argv[1], int(sys.argv[2])
if not url:
    print("127.0.0.1", default_port)
else:
    parts = urlsplit(url)
    try:
        port = parts.port or default_port
    except ValueError:
        port = default_port
    print(parts.hostname or "127.0.0.1", port)
PY
}

_huiwu_is_local() {
    case "$1" in
        localhost | 127.0.0.1 | ::1 | 0.0.0.0) return 0 ;;
        *) return 1 ;;
    esac
}

# True when something accepts TCP connections on host:port.
_huiwu_port_open() {
    "$VIRTUAL_ENV/bin/python" - "$1" "$2" <<'PY'
import socket
import sys

try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

# True when an AMQP 0-9-1 broker answers on host:port: it replies to the protocol
# header with a Connection.Start frame (frame type 1 on channel 0). A bare TCP check is
# not enough: a proxy or another program may hold the port.
_huiwu_amqp_answers() {
    "$VIRTUAL_ENV/bin/python" - "$1" "$2" <<'PY'
import socket
import sys

try:
    with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2) as sock:
        sock.settimeout(3)
        sock.sendall(b"AMQP\x00\x00\x09\x01")
        reply = b""
        while len(reply) < 3:
            chunk = sock.recv(3 - len(reply))
            if not chunk:
                break
            reply += chunk
except OSError:
    sys.exit(1)
sys.exit(0 if reply == b"\x01\x00\x00" else 1)
PY
}

_huiwu_wait_amqp() {
    local host="$1" port="$2" seconds="$3" start=$SECONDS
    while ((SECONDS - start < seconds)); do
        _huiwu_amqp_answers "$host" "$port" && return 0
        sleep 1
    done
    return 1
}

_huiwu_rabbitmq() {
    local endpoint host port
    endpoint="$(_huiwu_endpoint "${AMQP_URI:-}" 5672)" || return 1
    read -r host port <<<"$endpoint"
    if _huiwu_amqp_answers "$host" "$port"; then
        _huiwu_say "RabbitMQ answers on $host:$port"
        return 0
    fi
    if ! _huiwu_is_local "$host"; then
        _huiwu_fail "RabbitMQ at $host:$port (AMQP_URI) does not answer; it is not local," \
            "so start it there or fix AMQP_URI."
        return 1
    fi
    if ! command -v rabbitmq-server >/dev/null 2>&1; then
        _huiwu_fail "RabbitMQ does not answer on $host:$port and no local rabbitmq-server is" \
            "installed. Install it (apt-get install rabbitmq-server) or point AMQP_URI at a broker."
        return 1
    fi
    _huiwu_say "RabbitMQ not answering on $host:$port; starting it: rabbitmq-server -detached"
    if ! rabbitmq-server -detached >/dev/null 2>&1; then
        _huiwu_fail "'rabbitmq-server -detached' failed. Start the broker yourself:" \
            "sudo rabbitmq-server -detached (or: sudo service rabbitmq-server start)."
        return 1
    fi
    if _huiwu_wait_amqp "$host" "$port" 60; then
        _huiwu_say "RabbitMQ started and answers on $host:$port"
    else
        _huiwu_fail "RabbitMQ did not answer on $host:$port within 60 s. Check" \
            "/var/log/rabbitmq/ and start it with: sudo rabbitmq-server -detached"
        return 1
    fi
}

_huiwu_broker_users() {
    local endpoint host port vhost
    endpoint="$(_huiwu_endpoint "${AMQP_URI:-}" 5672)" || return 1
    read -r host port <<<"$endpoint"
    if ! _huiwu_is_local "$host"; then
        _huiwu_say "RabbitMQ at $host is not local: create its users there" \
            "(python -m huiwu.broker_users definitions, see docs/operations.md)"
        return 0
    fi
    vhost="$("$VIRTUAL_ENV/bin/python" -c 'import sys
from urllib.parse import unquote, urlsplit
print(unquote(urlsplit(sys.argv[1]).path[1:]) or "/")' "${AMQP_URI:-amqp://127.0.0.1:5672/}")" || return 1
    if ! command -v rabbitmqctl >/dev/null 2>&1; then
        _huiwu_fail "rabbitmqctl not found: it makes the services' broker users." \
            "Install rabbitmq-server's tools, or create them with the definitions of" \
            "python -m huiwu.broker_users definitions (docs/operations.md)."
        return 1
    fi
    if "$VIRTUAL_ENV/bin/python" -m huiwu.broker_users apply --vhost "$vhost"; then
        _huiwu_say "broker users ready on virtual host $vhost"
    else
        _huiwu_fail "could not make the broker users (rabbitmqctl must be allowed to" \
            "talk to the broker: run as root or as the rabbitmq user)"
        return 1
    fi
}

_huiwu_pg_ready() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$1" -p "$2" -t 2 >/dev/null 2>&1
    else
        _huiwu_port_open "$1" "$2"
    fi
}

_huiwu_postgres() {
    local endpoint host port started="" version cluster cport status rest
    endpoint="$(_huiwu_endpoint "${HUIWU_DATABASE_URL:-}" 5432)" || return 1
    read -r host port <<<"$endpoint"
    if _huiwu_pg_ready "$host" "$port"; then
        _huiwu_say "PostgreSQL answers on $host:$port"
        return 0
    fi
    if ! _huiwu_is_local "$host"; then
        _huiwu_fail "PostgreSQL at $host:$port (HUIWU_DATABASE_URL) does not answer; it is" \
            "not local, so start it there or fix HUIWU_DATABASE_URL."
        return 1
    fi
    if ! command -v pg_lsclusters >/dev/null 2>&1 || ! command -v pg_ctlcluster >/dev/null 2>&1; then
        _huiwu_fail "PostgreSQL does not answer on $host:$port and no local cluster tools" \
            "(pg_ctlcluster) are installed. Install postgresql or set HUIWU_DATABASE_URL."
        return 1
    fi
    # Start the local cluster(s) listening on that port (Debian's postgresql-common).
    while read -r version cluster cport status rest; do
        [[ "$cport" == "$port" ]] || continue
        if [[ "$status" == online* ]]; then
            started=1 # running but not accepting connections yet: wait for it below
            continue
        fi
        _huiwu_say "PostgreSQL not answering on $host:$port; starting cluster $version/$cluster"
        if pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start >/dev/null 2>&1; then
            started=1
        else
            _huiwu_say "pg_ctlcluster $version $cluster start failed"
        fi
    done < <(pg_lsclusters -h 2>/dev/null)
    if [[ -z "$started" ]]; then
        _huiwu_fail "could not start PostgreSQL on port $port. Start it with:" \
            "sudo pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start"
        return 1
    fi
    local start=$SECONDS
    while ((SECONDS - start < 30)); do
        if _huiwu_pg_ready "$host" "$port"; then
            _huiwu_say "PostgreSQL started and answers on $host:$port"
            return 0
        fi
        sleep 1
    done
    _huiwu_fail "PostgreSQL did not answer on $host:$port within 30 s. Check" \
        "/var/log/postgresql/ and start it with:" \
        "sudo pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start"
    return 1
}

# ---- PostgreSQL roles and schemas (step 4) -------------------------------------------
# Each service connects as its own role and owns only its schema; see
# docs/architecture.md, "Store". Idempotent: services.common.roles creates what is missing.
_huiwu_postgres_roles() {
    if [[ -z "${HUIWU_DATABASE_URL:-}" ]]; then
        _huiwu_say "HUIWU_DATABASE_URL unset: SQLite stores, no PostgreSQL roles to set up"
        return 0
    fi
    if ! python -m services.common.roles >&2; then
        _huiwu_fail "could not set up the PostgreSQL roles and schemas. The user of" \
            "HUIWU_DATABASE_URL must be a superuser (it only sets them up; the services" \
            "connect as huiwu_<service>); fix it and run: python -m services.common.roles"
        return 1
    fi
}
# ---- end of PostgreSQL roles ------------------------------------------------------------

_huiwu_setup() {
    local root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" || return 1
    _huiwu_venv "$root" || return 1
    if [[ "${VIRTUAL_ENV:-}" != "$root/.venv" ]]; then
        # shellcheck disable=SC1091
        source "$root/.venv/bin/activate" || { _huiwu_fail "cannot activate $root/.venv"; return 1; }
    fi
    if [[ "${HUIWU_SETUP_SKIP_SERVICES:-}" == 1 ]]; then
        _huiwu_say "HUIWU_SETUP_SKIP_SERVICES=1: not checking RabbitMQ and PostgreSQL"
    else
        _huiwu_rabbitmq || return 1
        _huiwu_broker_users || return 1
        _huiwu_postgres || return 1
        _huiwu_postgres_roles || return 1
    fi
    _huiwu_say "ready: $(python --version 2>&1) in $root/.venv"
}

_huiwu_setup_main() {
    # Run with errexit/nounset off whatever the caller set, then restore its options.
    # ($- and not "$(set +o)": command substitution does not inherit errexit.)
    local flags="$-" rc=0
    set +eu
    _huiwu_setup || rc=$?
    if [[ "$flags" == *e* ]]; then set -e; fi
    if [[ "$flags" == *u* ]]; then set -u; fi
    unset -f _huiwu_say _huiwu_fail _huiwu_python_is_311 _huiwu_venv _huiwu_endpoint \
        _huiwu_is_local _huiwu_port_open _huiwu_amqp_answers _huiwu_wait_amqp _huiwu_rabbitmq \
        _huiwu_broker_users _huiwu_pg_ready \
        _huiwu_postgres _huiwu_postgres_roles _huiwu_setup _huiwu_setup_main
    return "$rc"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    # Executed rather than sourced: set up, but the activation cannot outlive this process.
    _huiwu_setup_main || exit $?
    printf 'setup: note: run "source scripts/setup.sh" to activate .venv in your shell\n' >&2
    exit 0
fi
_huiwu_setup_main
