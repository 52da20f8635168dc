#!/usr/bin/env bash
# Real services for the Satu Data Kota Blitar portal and its tests, without Docker:
#   PostgreSQL 15 (own cluster), Redis, Apache Solr 9 (from Maven Central), and the CKAN web + jobs worker.
#
#   services/services.sh deps                 install the Debian packages they need (as root, once)
#   services/services.sh start|stop|status|restart [SERVICE...]
#   services/services.sh database NAME...     create these databases (owned by ckan_default) if missing
#   SERVICES: postgres redis solr (the default set), web worker (CKAN_INI, default: the config they last ran
#             with, else ckan.ini)
#
# Idempotent: starting a running service only checks its health. All data lives under $SATUDATA_STATE_DIR
# (default: .services/ in the repo, git-ignored). Ports come from the environment:
#   SATUDATA_PG_PORT (54321)  SATUDATA_REDIS_PORT (63791)  SATUDATA_SOLR_PORT (8983)  SATUDATA_WEB_PORT (5000)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${SATUDATA_STATE_DIR:-$ROOT/.services}
VENV=${VENV:-$ROOT/.venv}
PG_PORT=${SATUDATA_PG_PORT:-54321}
REDIS_PORT=${SATUDATA_REDIS_PORT:-63791}
SOLR_PORT=${SATUDATA_SOLR_PORT:-8983}
WEB_PORT=${SATUDATA_WEB_PORT:-5000}
PG_VERSION=15
PG_BIN=/usr/lib/postgresql/$PG_VERSION/bin
RUN=$STATE/run
LOGS=$STATE/log
DEFAULT_SERVICES=(postgres redis solr)

say() { printf '[services] %s\n' "$*"; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

# --- process bookkeeping ------------------------------------------------------------------------------------
pid_of() { cat "$RUN/$1.pid" 2>/dev/null || true; }
alive() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A port held by something that is not ours must fail loudly, not hang a health check.
refuse_busy_port() {
  local name=$1 port=$2 var=$3
  if port_open "$port"; then
    die "port $port for $name is already in use by another program. Stop it, or choose a free port: $var=<port> make …"
  fi
}

# Waits until CHECK succeeds, while the process of NAME stays alive; shows its log when it dies or times out.
wait_healthy() {
  local name=$1 seconds=$2 log=$3; shift 3
  local i
  for ((i = 0; i < seconds * 2; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [ -n "$(pid_of "$name")" ] && ! alive "$name"; then break; fi
    sleep 0.5
  done
  say "$name did not become healthy; last lines of $log:"
  tail -n 25 "$log" >&2 || true
  die "$name failed to start"
}

# Starts a long-running command in its own session so that stop can end it with all of its children.
spawn() {
  local name=$1 log=$2; shift 2
  setsid nohup "$@" >>"$log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

stop_pid_group() {
  local name=$1 pid i
  pid=$(pid_of "$name")
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then rm -f "$RUN/$name.pid"; return 0; fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$RUN/$name.pid"
  say "$name stopped"
}

# Debian packages the services and the Python build need, installed in one apt call when any is missing
# (--no-upgrade: an installed PostgreSQL is never upgraded under its data).
SYSTEM_PACKAGES=(postgresql-$PG_VERSION postgresql-client-$PG_VERSION redis-server libpq-dev libmagic1 gcc curl
                 maven openjdk-17-jdk-headless gettext
                 # WeasyPrint (the reports' PDFs) at runtime: pango, its FreeType backend, HarfBuzz's subsetter;
                 # poppler-utils (pdftoppm, pdftotext) to look at a generated PDF
                 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils
                 # the browser tests: Debian's Chromium and its driver (same version), fonts for the screenshots
                 chromium chromium-driver fonts-noto-core)

ensure_system_packages() {
  local missing=() pkg
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  # npm installs axe-core for the browser tests; a Node.js that brings its own npm (NodeSource) is kept as it is.
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages (install them as root): ${missing[*]}"
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-upgrade "${missing[@]}" >/dev/null
}

# --- PostgreSQL ---------------------------------------------------------------------------------------------
# initdb refuses to run as root, so a root shell runs the cluster as the `postgres` system user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_data_dir() {
  local dir=$STATE/postgres
  # The postgres user must be able to reach the folder; a checkout under a private home may not allow that.
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$STATE" 2>/dev/null; then
    dir=/var/tmp/satudata-postgres-$(printf '%s' "$STATE" | md5sum | cut -c1-10)
  fi
  echo "$dir"
}

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }

pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres; }

start_postgres() {
  local dir; dir=$(pg_data_dir)
  local data=$dir/data log=$LOGS/postgres.log
  if [ -f "$data/postmaster.pid" ] && pg_ready; then
    say "postgres already running on 127.0.0.1:$PG_PORT"
  else
    refuse_busy_port postgres "$PG_PORT" SATUDATA_PG_PORT
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    if [ ! -f "$data/PG_VERSION" ]; then
      say "creating a PostgreSQL $PG_VERSION cluster in $data"
      as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
      # A test cluster: durability traded for speed. Only loopback TCP; no Unix socket to collide with others.
      cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
    fi
    touch "$log"; [ "$(id -u)" = 0 ] && chown postgres: "$log"
    as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$log" -o "-p $PG_PORT" -w -t 60 start >/dev/null \
      || { tail -n 20 "$log" >&2; die "postgres failed to start"; }
    head -n 1 "$data/postmaster.pid" >"$RUN/postgres.pid"
    say "postgres running on 127.0.0.1:$PG_PORT"
  fi
  ensure_databases
}

ensure_role() {
  local role=$1 password=$2
  if [ -z "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" ]; then
    psql_admin -c "CREATE ROLE $role LOGIN PASSWORD '$password'"
  fi
}

ensure_database() {
  local db=$1 owner=$2
  if [ -z "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    psql_admin -c "CREATE DATABASE $db OWNER $owner ENCODING 'UTF8'"
  fi
}

# The portal (ckan_default, datastore_default) and the test suite (ckan_test, datastore_test) never share data.
ensure_databases() {
  ensure_role ckan_default pass
  ensure_role datastore_default pass
  local db
  for db in ckan_default datastore_default ckan_test datastore_test; do ensure_database "$db" ckan_default; done
}

stop_postgres() {
  local data; data=$(pg_data_dir)/data
  if [ -f "$data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    say "postgres stopped"
  fi
  rm -f "$RUN/postgres.pid"
}

# --- Redis --------------------------------------------------------------------------------------------------
redis_ready() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

start_redis() {
  if alive redis && redis_ready; then say "redis already running on 127.0.0.1:$REDIS_PORT"; return; fi
  refuse_busy_port redis "$REDIS_PORT" SATUDATA_REDIS_PORT
  mkdir -p "$STATE/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$STATE/redis" --save "60 1" \
    --daemonize yes --pidfile "$RUN/redis.pid" --logfile "$LOGS/redis.log"
  wait_healthy redis 30 "$LOGS/redis.log" redis_ready
  say "redis running on 127.0.0.1:$REDIS_PORT"
}

stop_redis() {
  if alive redis; then
    # SHUTDOWN saves the data set first; a plain signal would too, but this waits for it.
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
    say "redis stopped"
  fi
  stop_pid_group redis
}

# --- Solr ---------------------------------------------------------------------------------------------------
SOLR_SRC=$ROOT/services/solr
# A Solr of its own (the release tests': SATUDATA_STATE_DIR elsewhere) may share the jars of the main one.
SOLR_LIB=${SATUDATA_SOLR_LIB:-$STATE/solr/lib}
SOLR_HOME=$STATE/solr/home

solr_ready() {
  curl -fsS "http://127.0.0.1:$SOLR_PORT/solr/ckan/admin/ping?wt=json" | grep -q '"status":"OK"'
}

# The server's jars come from Maven Central through the pom; ~/.m2 caches them across checkouts.
solr_classpath() {
  local stamp; stamp=$(md5sum "$SOLR_SRC/pom.xml" | cut -c1-32)
  if [ "$(cat "$SOLR_LIB/.pom-md5" 2>/dev/null)" != "$stamp" ]; then
    say "fetching Solr 9 jars with Maven"
    rm -rf "$SOLR_LIB"
    mvn -q -B -f "$SOLR_SRC/pom.xml" dependency:copy-dependencies -DoutputDirectory="$SOLR_LIB" \
      >"$LOGS/maven.log" 2>&1 || { tail -n 30 "$LOGS/maven.log" >&2; die "Maven could not fetch Solr's jars"; }
    echo "$stamp" >"$SOLR_LIB/.pom-md5"
  fi
}

# Core `ckan` uses CKAN's own schema.xml from the installed CKAN, copied on every start to stay in step with it,
# plus the typed fields of ckanext/satudata_blitar/solr/schema-fields.xml.
solr_schema() {
  local ckan_dir
  ckan_dir=$("$VENV/bin/python" -c 'import ckan, os; print(os.path.dirname(ckan.__file__))' 2>/dev/null) \
    || die "CKAN is not installed in $VENV (run: make install)"
  # Our typed fields go in before CKAN's dynamic fields; the schema keeps CKAN's name and version.
  sed "/<dynamicField name=\"\*_date\"/e cat $ROOT/ckanext/satudata_blitar/solr/schema-fields.xml" \
    "$ckan_dir/config/solr/schema.xml"
}

# CKAN checks the schema's name (ckan-2.12, ckan-2.11) and 2.11 refuses 2.12's: a running Solr whose schema is not
# the one of $VENV's CKAN (make test CKAN_VERSION=2.11.6 after a run on 2.12) is restarted with it.
solr_schema_current() { solr_schema | cmp -s - "$SOLR_HOME/ckan/conf/schema.xml"; }

solr_home() {
  mkdir -p "$SOLR_HOME/ckan/conf"
  cp "$SOLR_SRC/solr.xml" "$SOLR_HOME/solr.xml"
  cp "$SOLR_SRC/solrconfig.xml" "$SOLR_HOME/ckan/conf/solrconfig.xml"
  solr_schema >"$SOLR_HOME/ckan/conf/schema.xml"
  touch "$SOLR_HOME/ckan/conf/synonyms.txt" "$SOLR_HOME/ckan/conf/protwords.txt"
  echo "name=ckan" >"$SOLR_HOME/ckan/core.properties"
}

start_solr() {
  if alive solr && solr_ready && solr_schema_current; then say "solr already running on 127.0.0.1:$SOLR_PORT"; return; fi
  stop_pid_group solr
  refuse_busy_port solr "$SOLR_PORT" SATUDATA_SOLR_PORT
  solr_classpath
  solr_home
  spawn solr "$LOGS/solr.out" java -Xms128m -Xmx512m -Dsolr.log.dir="$LOGS" \
    -Dlog4j2.configurationFile="$SOLR_SRC/log4j2.xml" -cp "$SOLR_LIB/*" \
    "$SOLR_SRC/Launcher.java" "$SOLR_HOME" "$SOLR_PORT"
  wait_healthy solr 120 "$LOGS/solr.out" solr_ready
  say "solr running at http://127.0.0.1:$SOLR_PORT/solr/ckan"
}

stop_solr() { stop_pid_group solr; }

# --- CKAN web and jobs worker (for `make run`) --------------------------------------------------------------
# The portal's config file: CKAN_INI, else the one the web server and worker last started with (so that
# `restart web` after `make run` needs nothing), else the repository's ckan.ini (what `make run` writes).
need_ckan_ini() {
  [ -n "${CKAN_INI:-}" ] || CKAN_INI=$(cat "$RUN/portal.ini" 2>/dev/null || true)
  [ -n "${CKAN_INI:-}" ] || CKAN_INI=$ROOT/ckan.ini
  [ -f "$CKAN_INI" ] || die "no portal config at $CKAN_INI: run make run first, or set CKAN_INI to the portal's config file"
  CKAN_INI=$(realpath "$CKAN_INI")
  echo "$CKAN_INI" >"$RUN/portal.ini"
}

# A running web server or worker keeps the settings it started with, so a changed config means a restart.
config_stamp() { md5sum "$CKAN_INI" | cut -c1-32; }
same_config() { [ "$(cat "$RUN/$1.config" 2>/dev/null)" = "$(config_stamp)" ]; }

web_ready() { curl -fsS "http://127.0.0.1:$WEB_PORT/api/3/action/status_show" | grep -q '"success": true'; }

start_web() {
  need_ckan_ini
  if alive web && web_ready && same_config web; then
    say "portal already running at http://127.0.0.1:$WEB_PORT"; return
  fi
  stop_pid_group web
  refuse_busy_port web "$WEB_PORT" SATUDATA_WEB_PORT
  spawn web "$LOGS/web.log" "$VENV/bin/ckan" -c "$CKAN_INI" run --host 127.0.0.1 --port "$WEB_PORT" \
    --disable-reloader --threaded
  wait_healthy web 90 "$LOGS/web.log" web_ready
  config_stamp >"$RUN/web.config"
  say "portal running at http://127.0.0.1:$WEB_PORT"
}

start_worker() {
  need_ckan_ini
  if alive worker && same_config worker; then say "jobs worker already running"; return; fi
  stop_pid_group worker
  # With CKAN's `tracking` plugin on, page views become counts (and "most viewed") only through `ckan tracking
  # update`: the worker's process group runs it hourly beside the worker, so stopping the worker stops it too
  # (from 14 days back, the "recent" window: without a date a first run would summarise every day since 2011).
  spawn worker "$LOGS/worker.log" bash -c '
    if grep -Eq "^ckan\.plugins *=.*\btracking\b" "$2"; then
      (while sleep "${SATUDATA_TRACKING_INTERVAL:-3600}"; do
        "$1" -c "$2" tracking update "$(date -d "14 days ago" +%F)" >/dev/null || true; done) &
    fi
    exec "$1" -c "$2" jobs worker' tracking "$VENV/bin/ckan" "$CKAN_INI"
  sleep 2
  alive worker || { tail -n 20 "$LOGS/worker.log" >&2; die "the jobs worker failed to start"; }
  config_stamp >"$RUN/worker.config"
  say "jobs worker running (log: $LOGS/worker.log)"
}

stop_web() { stop_pid_group web; }
stop_worker() { stop_pid_group worker; }

# --- commands -----------------------------------------------------------------------------------------------
status_line() {
  local name=$1 state=stopped
  case $name in
    postgres) pg_ready 2>/dev/null && state="running on 127.0.0.1:$PG_PORT" ;;
    redis) redis_ready && state="running on 127.0.0.1:$REDIS_PORT" ;;
    solr) solr_ready 2>/dev/null && state="running at http://127.0.0.1:$SOLR_PORT/solr/ckan" ;;
    web) web_ready 2>/dev/null && state="running at http://127.0.0.1:$WEB_PORT" ;;
    worker) alive worker && state="running (pid $(pid_of worker))" ;;
  esac
  printf '%-9s %s\n' "$name" "$state"
}

main() {
  local cmd=${1:-status}; shift || true
  local services=("$@") all_services=(postgres redis solr web worker)
  mkdir -p "$RUN" "$LOGS"
  case $cmd in
    deps)
      ensure_system_packages ;;
    start)
      ensure_system_packages
      [ ${#services[@]} -gt 0 ] || services=("${DEFAULT_SERVICES[@]}")
      for s in "${services[@]}"; do "start_$s"; done ;;
    stop)
      # Reverse order: the portal first, the databases last.
      [ ${#services[@]} -gt 0 ] || services=(worker web solr redis postgres)
      for s in "${services[@]}"; do "stop_$s"; done ;;
    restart)
      "$0" stop "${services[@]}" && "$0" start "${services[@]}" ;;
    database)
      # Extra database pairs, e.g. for a second test run beside the first (SATUDATA_TEST_NAME).
      for db in "${services[@]}"; do ensure_database "$db" ckan_default; done ;;
    status)
      [ ${#services[@]} -gt 0 ] || services=("${all_services[@]}")
      for s in "${services[@]}"; do status_line "$s"; done ;;
    *)
      die "usage: $0 deps|start|stop|status|restart [postgres|redis|solr|web|worker ...] | database NAME..." ;;
  esac
}

main "$@"
