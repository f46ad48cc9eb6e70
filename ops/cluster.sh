#!/usr/bin/env bash
# The project's local cluster: PostgreSQL, Redis, SeaweedFS S3 and Airflow 3 on Celery, all on
# 127.0.0.1, all under cluster_home/ (git-ignored). Every process this script starts is
# recorded in a pid file under cluster_home/run, and `stop` ends exactly those processes (and
# what runs in their sessions), never anything found by name. docs/cluster.md has the details.
#
#   ops/cluster.sh start | stop | status      everything, in order / in reverse order
#   ops/cluster.sh deps                       install Debian's postgresql and redis-server
#   ops/cluster.sh s3 | s3-stop               SeaweedFS alone
#   ops/cluster.sh postgres | postgres-stop | redis | redis-stop | airflow | airflow-stop
#   ops/cluster.sh worker NAME                start one Celery worker again
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLUSTER_HOME=${CLUSTER_HOME:-$REPO/cluster_home}
CLUSTER_VENV=${CLUSTER_VENV:-$REPO/.venv-cluster}
PG_PORT=${CLUSTER_PG_PORT:-5439}
REDIS_PORT=${CLUSTER_REDIS_PORT:-6389}
S3_PORT=${CLUSTER_S3_PORT:-8333}
S3_BUCKET=${CLUSTER_S3_BUCKET:-news-archive}
API_PORT=${CLUSTER_API_PORT:-8081}
WORKER_CONCURRENCY=${CLUSTER_WORKER_CONCURRENCY:-2}
FETCH_SLOTS=${AIRFLOW_FETCH_SLOTS:-4}
# Airflow's log servers (one per worker, one in the triggerer) listen on every interface and
# have no setting to bind 127.0.0.1; they are off unless asked for (CLUSTER_SERVE_LOGS=1).
# All components share cluster_home/airflow/logs here, so the UI reads task logs from there.
SERVE_LOGS=${CLUSTER_SERVE_LOGS:-0}
WORKER_LOG_PORTS=(8793 8794)
TRIGGER_LOG_PORT=8795
WORKERS=(worker1 worker2)
# How long a stopping Airflow component may take (a worker finishing its tasks) before it is
# terminated.
STOP_TIMEOUT=${CLUSTER_STOP_TIMEOUT:-60}
AIRFLOW_COMPONENTS=(api-server scheduler dag-processor triggerer "${WORKERS[@]}")

RUN=$CLUSTER_HOME/run
LOGS=$CLUSTER_HOME/logs
PGDATA=$CLUSTER_HOME/postgres
PG_SOCKETS=$RUN/postgres
ENV_FILE=$CLUSTER_HOME/cluster.env

say() { echo "cluster: $*"; }
die() {
	echo "cluster: $*" >&2
	exit 1
}

# --- processes: started in their own session, known by pid file and start time ---------------

# The start time (clock ticks since boot) tells our process from a later one given its pid.
start_time() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }

remember() { start_time "$2" >"$RUN/$1.start"; }

alive() {
	local pid
	[ -s "$RUN/$1.pid" ] || return 1
	pid=$(<"$RUN/$1.pid")
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	[ "$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" != Z ] || return 1
	[ "$(start_time "$pid")" = "$(cat "$RUN/$1.start" 2>/dev/null)" ]
}

pid_of() { cat "$RUN/$1.pid"; }

# start_bg NAME COMMAND...: run COMMAND in a new session (its pid is also its process group),
# output appended to logs/NAME.log, pid in run/NAME.pid.
start_bg() {
	local name=$1 pid
	shift
	if alive "$name"; then
		say "$name already running (pid $(pid_of "$name"))"
		return 0
	fi
	rm -f "$RUN/$name.pid" "$RUN/$name.start"
	# The child writes its own pid before exec: $! would be wrong if setsid had to fork.
	setsid bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$RUN/$name.pid" "$@" \
		>>"$LOGS/$name.log" 2>&1 </dev/null &
	for _ in $(seq 100); do
		[ -s "$RUN/$name.pid" ] && break
		sleep 0.05
	done
	pid=$(pid_of "$name") || die "$name did not start (see $LOGS/$name.log)"
	remember "$name" "$pid"
	say "$name started (pid $pid, log $LOGS/$name.log)"
}

# stop_pid NAME [SECONDS]: TERM NAME's process and wait for it and everything it started to
# end; after SECONDS, TERM then KILL what is left. "Everything it started" is its session:
# start_bg and Redis make a session per service, and Airflow's task processes, which get a
# process group of their own, stay in their worker's session.
stop_pid() {
	local name=$1 timeout=${2:-30} pid session= start=$SECONDS
	if ! alive "$name"; then
		rm -f "$RUN/$name.pid" "$RUN/$name.start"
		say "$name not running"
		return 0
	fi
	pid=$(pid_of "$name")
	if [ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ]; then session=$pid; fi
	# The leader alone first: a Celery worker's warm shutdown lets its running tasks finish.
	kill -TERM "$pid" 2>/dev/null || true
	if ! wait_gone "$pid" "$session" "$timeout"; then
		say "$name still running after ${timeout}s: terminating its processes"
		signal_all TERM "$pid" "$session"
		if ! wait_gone "$pid" "$session" 5; then
			say "$name: killing what is left"
			signal_all KILL "$pid" "$session"
			wait_gone "$pid" "$session" 5 || say "$name: processes left in session $pid"
		fi
	fi
	rm -f "$RUN/$name.pid" "$RUN/$name.start"
	say "$name stopped after $((SECONDS - start))s"
}

# running PID SESSION: the process, or any process of its session, is still there (a zombie
# waiting for init to reap it does not count).
running() {
	ps -e -o pid=,sid=,stat= | awk -v pid="$1" -v sid="$2" \
		'$3 !~ /^Z/ && (sid == "" ? $1 == pid : $2 == sid) {found = 1} END {exit !found}'
}

wait_gone() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		running "$1" "$2" || return 0
		sleep 0.1
	done
	! running "$1" "$2"
}

signal_all() {
	if [ -n "$3" ]; then pkill "-$1" -s "$3" || true; else kill "-$1" "$2" 2>/dev/null || true; fi
}

# need_ports NAME PORT...: fail at once, rather than after a timeout, if another program
# already listens on a port NAME is about to take.
need_ports() {
	local name=$1 port
	shift
	for port in "$@"; do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			die "$name: something else listens on 127.0.0.1:$port (ss -ltnp 'sport = :$port')"
		fi
	done
}

# wait_until DESCRIPTION SECONDS COMMAND...: gives up early if a process named in WATCH exits.
WATCH=()
wait_until() {
	local what=$1 timeout=$2 start=$SECONDS name
	shift 2
	until "$@" >/dev/null 2>&1; do
		((SECONDS - start < timeout)) || die "$what: not ready after ${timeout}s"
		for name in "${WATCH[@]}"; do
			if ! alive "$name"; then
				tail -n 20 "$LOGS/$name.log" >&2 || true
				die "$name exited (the lines above are the end of $LOGS/$name.log)"
			fi
		done
		sleep 0.5
	done
	say "$what ready after $((SECONDS - start))s"
}

# --- configuration ---------------------------------------------------------------------------

hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

# Secrets are made once per cluster_home and kept there (mode 600), never in git.
config() {
	mkdir -p "$CLUSTER_HOME" "$RUN" "$LOGS"
	if [ ! -s "$CLUSTER_HOME/secrets.env" ]; then
		(
			umask 077
			cat >"$CLUSTER_HOME/secrets.env" <<-EOF
				PG_PASSWORD=$(hex 16)
				S3_ACCESS_KEY=newsarchive$(hex 4)
				S3_SECRET_KEY=$(hex 20)
				API_SECRET_KEY=$(hex 32)
				JWT_SECRET=$(hex 32)
				FERNET_KEY=$(head -c32 /dev/urandom | base64 | tr '+/' '-_')
			EOF
		)
	fi
	# shellcheck source=/dev/null
	. "$CLUSTER_HOME/secrets.env"
	render "$REPO/ops/cluster.env.template" "$ENV_FILE"
	render "$REPO/ops/seaweedfs-s3.json.template" "$CLUSTER_HOME/seaweedfs-s3.json"
}

render() {
	(
		umask 077
		sed -e "s|@REPO@|$REPO|g" -e "s|@CLUSTER_HOME@|$CLUSTER_HOME|g" \
			-e "s|@PG_PORT@|$PG_PORT|g" -e "s|@PG_PASSWORD@|$PG_PASSWORD|g" \
			-e "s|@REDIS_PORT@|$REDIS_PORT|g" -e "s|@API_PORT@|$API_PORT|g" \
			-e "s|@S3_PORT@|$S3_PORT|g" -e "s|@S3_BUCKET@|$S3_BUCKET|g" \
			-e "s|@S3_ACCESS_KEY@|$S3_ACCESS_KEY|g" -e "s|@S3_SECRET_KEY@|$S3_SECRET_KEY|g" \
			-e "s|@API_SECRET_KEY@|$API_SECRET_KEY|g" -e "s|@JWT_SECRET@|$JWT_SECRET|g" \
			-e "s|@FERNET_KEY@|$FERNET_KEY|g" \
			-e "s|@WORKER_CONCURRENCY@|$WORKER_CONCURRENCY|g" "$1" >"$2.tmp"
	)
	mv "$2.tmp" "$2"
}

need_venv() {
	[ -x "$CLUSTER_VENV/bin/airflow" ] && [ -x "$CLUSTER_VENV/bin/weed" ] ||
		die "no $CLUSTER_VENV with the cluster group: run 'make cluster' (or uv sync --group cluster)"
}

# --- Debian packages -------------------------------------------------------------------------

pg_bin() {
	local dir
	dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
	[ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

deps() {
	local missing=() sudo=
	pg_bin >/dev/null || missing+=(postgresql)
	command -v redis-server >/dev/null && command -v redis-cli >/dev/null || missing+=(redis-server)
	[ ${#missing[@]} = 0 ] && return 0
	if [ "$(id -u)" = 0 ]; then
		sudo=
	elif sudo -n true 2>/dev/null; then
		sudo="sudo -n"
	else
		die "not root: install ${missing[*]} first (apt-get install ${missing[*]})"
	fi
	command -v apt-get >/dev/null || die "no apt-get: install ${missing[*]} first"
	say "installing ${missing[*]} (Debian packages)"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# installable: whether `deps` can work here; if not, say why on one line and fail.
installable() {
	local missing=()
	pg_bin >/dev/null || missing+=(postgresql)
	command -v redis-server >/dev/null || missing+=(redis-server)
	[ ${#missing[@]} = 0 ] && return 0
	if [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null; then
		echo "${missing[*]} missing, and not root to install them"
		return 1
	fi
	command -v apt-get >/dev/null || {
		echo "${missing[*]} missing, and no apt-get to install them"
		return 1
	}
}

# --- PostgreSQL: the project's own cluster in cluster_home/postgres --------------------------

# PostgreSQL refuses to run as root: as root, its files belong to the postgres system user.
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_running() { as_pg "$PG/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

postgres_start() {
	PG=$(pg_bin) || die "PostgreSQL is not installed: run 'ops/cluster.sh deps'"
	mkdir -p "$PGDATA" "$PG_SOCKETS"
	touch "$LOGS/postgres.log"
	if [ "$(id -u)" = 0 ]; then chown postgres: "$PGDATA" "$PG_SOCKETS" "$LOGS/postgres.log"; fi
	chmod 700 "$PGDATA" "$PG_SOCKETS"
	if [ ! -s "$PGDATA/PG_VERSION" ]; then
		say "initdb $PGDATA"
		as_pg "$PG/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
			--auth-local=trust --auth-host=scram-sha-256 >>"$LOGS/postgres.log" 2>&1 ||
			die "initdb failed (see $LOGS/postgres.log)"
	fi
	if pg_running; then
		say "postgres already running"
	else
		need_ports postgres "$PG_PORT"
		as_pg "$PG/pg_ctl" -D "$PGDATA" -l "$LOGS/postgres.log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_SOCKETS" start >/dev/null ||
			die "PostgreSQL did not start (see $LOGS/postgres.log)"
		say "postgres started on 127.0.0.1:$PG_PORT (pid $(head -n1 "$PGDATA/postmaster.pid"))"
	fi
	# The role's password follows secrets.env on every start.
	as_pg "$PG/psql" -h "$PG_SOCKETS" -p "$PG_PORT" -U postgres -d postgres -qtA \
		-v ON_ERROR_STOP=1 >/dev/null <<-SQL
		SELECT 'CREATE ROLE airflow LOGIN' WHERE NOT EXISTS
		    (SELECT FROM pg_roles WHERE rolname = 'airflow')\gexec
		ALTER ROLE airflow WITH LOGIN PASSWORD '$PG_PASSWORD';
		SELECT 'CREATE DATABASE airflow OWNER airflow' WHERE NOT EXISTS
		    (SELECT FROM pg_database WHERE datname = 'airflow')\gexec
	SQL
}

postgres_stop() {
	PG=$(pg_bin) || return 0
	[ -d "$PGDATA" ] || return 0
	if pg_running; then
		say "stopping postgres"
		as_pg "$PG/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null
	else
		say "postgres not running"
	fi
}

# --- Redis: the Celery broker ------------------------------------------------------------------

redis_ping() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

redis_start() {
	command -v redis-server >/dev/null || die "Redis is not installed: run 'ops/cluster.sh deps'"
	if alive redis; then
		say "redis already running (pid $(pid_of redis))"
		return 0
	fi
	need_ports redis "$REDIS_PORT"
	mkdir -p "$CLUSTER_HOME/redis"
	rm -f "$RUN/redis.pid" "$RUN/redis.start"
	redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
		--pidfile "$RUN/redis.pid" --dir "$CLUSTER_HOME/redis" --logfile "$LOGS/redis.log"
	wait_until "redis on 127.0.0.1:$REDIS_PORT" 30 redis_ping
	remember redis "$(pid_of redis)"
}

# --- SeaweedFS: S3 for the lake -----------------------------------------------------------------

s3_answers() { curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/"; }

s3_start() {
	need_venv
	mkdir -p "$CLUSTER_HOME/seaweedfs"
	alive seaweedfs || need_ports seaweedfs "$S3_PORT" 9333 9340 8888
	# No WebDAV, admin UI, Iceberg or Lance endpoints: the lake needs S3 only. Unix sockets in
	# run/ rather than /tmp, where another checkout's SeaweedFS would find them.
	start_bg seaweedfs "$CLUSTER_VENV/bin/weed" mini -dir="$CLUSTER_HOME/seaweedfs" \
		-ip=127.0.0.1 -ip.bind=127.0.0.1 -master.telemetry=false \
		-s3.port="$S3_PORT" -s3.config="$CLUSTER_HOME/seaweedfs-s3.json" -bucket="$S3_BUCKET" \
		-webdav=false -admin.ui=false -s3.port.iceberg=0 -s3.port.lance=0 \
		-s3.localSocket="$RUN/seaweedfs-s3.sock" -filer.localSocket="$RUN/seaweedfs-filer.sock"
	WATCH=(seaweedfs)
	wait_until "S3 on 127.0.0.1:$S3_PORT" 60 s3_answers
	WATCH=()
	# Signed requests with the generated key: the bucket exists (created if missing).
	S3_ENDPOINT=127.0.0.1:$S3_PORT S3_BUCKET=$S3_BUCKET S3_ACCESS_KEY=$S3_ACCESS_KEY \
		S3_SECRET_KEY=$S3_SECRET_KEY "$CLUSTER_VENV/bin/python" - <<-'PY' ||
		import os
		from pyarrow import fs
		s3 = fs.S3FileSystem(endpoint_override=os.environ["S3_ENDPOINT"], scheme="http",
		                     access_key=os.environ["S3_ACCESS_KEY"],
		                     secret_key=os.environ["S3_SECRET_KEY"], region="us-east-1",
		                     allow_bucket_creation=True)
		s3.create_dir(os.environ["S3_BUCKET"])
		assert s3.get_file_info(os.environ["S3_BUCKET"]).type == fs.FileType.Directory
	PY
		die "S3 answers, but the bucket $S3_BUCKET is not usable"
	say "bucket s3://$S3_BUCKET ready"
}

s3_stop() { stop_pid seaweedfs 30; }

# --- Airflow 3 on Celery -------------------------------------------------------------------------

load_env() {
	set -a
	# shellcheck source=/dev/null
	. "$ENV_FILE"
	set +a
}

api_healthy() {
	# metadatabase, scheduler, triggerer and dag_processor all healthy
	[ "$(curl -sf "http://127.0.0.1:$API_PORT/api/v2/monitor/health" |
		grep -o '"status":"healthy"' | wc -l)" -ge 4 ]
}

celery_ping() {
	"$CLUSTER_VENV/bin/celery" --app airflow.providers.celery.executors.celery_executor.app \
		inspect ping --timeout 2 2>/dev/null
}

workers_answer() {
	local out w
	out=$(celery_ping) || return 1
	for w in "${WORKERS[@]}"; do grep -q "$w@" <<<"$out" || return 1; done
}

# worker_start INDEX: one Celery worker. Two workers on one machine, each as if on a machine
# of its own: distinct Celery names, log-server ports, working copies of the S3 data root,
# and host names (task instances record theirs: ops/cluster_hostname.py).
worker_start() {
	local i=$1 skip=(--skip-serve-logs)
	[ "$SERVE_LOGS" = 1 ] && skip=()
	start_bg "${WORKERS[i]}" env AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT="${WORKER_LOG_PORTS[i]}" \
		NEWS_ARCHIVE_CACHE_DIR="$CLUSTER_HOME/work/${WORKERS[i]}" \
		NEWS_ARCHIVE_WORKER_NAME="${WORKERS[i]}" PYTHONPATH="$REPO/ops" \
		AIRFLOW__CORE__HOSTNAME_CALLABLE=cluster_hostname.hostname \
		"$CLUSTER_VENV/bin/airflow" celery worker --celery-hostname "${WORKERS[i]}@%h" \
		--concurrency "$WORKER_CONCURRENCY" "${skip[@]}"
}

# worker NAME: start one worker again (after a test killed it).
worker() {
	local i
	need_venv
	load_env
	for i in "${!WORKERS[@]}"; do
		if [ "${WORKERS[i]}" = "$1" ]; then
			worker_start "$i"
			WATCH=("$1")
			wait_until "celery workers ${WORKERS[*]}" 180 workers_answer
			WATCH=()
			return 0
		fi
	done
	die "no worker $1 (${WORKERS[*]})"
}

airflow_start() {
	need_venv
	load_env
	local af=$CLUSTER_VENV/bin/airflow skip=(--skip-serve-logs) i
	mkdir -p "$AIRFLOW_HOME"
	say "airflow db migrate (log $LOGS/airflow-db-migrate.log)"
	"$af" db migrate >>"$LOGS/airflow-db-migrate.log" 2>&1 ||
		die "airflow db migrate failed (see $LOGS/airflow-db-migrate.log)"
	"$af" pools set news_fetch "$FETCH_SLOTS" "news-archive: outlets news_collect fetches at once" \
		>>"$LOGS/airflow-db-migrate.log" 2>&1 || die "could not create the pool news_fetch"
	if [ "$SERVE_LOGS" = 1 ]; then
		skip=()
		export AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=$TRIGGER_LOG_PORT
	fi
	alive api-server || need_ports api-server "$API_PORT"
	start_bg api-server "$af" api-server --host 127.0.0.1 --port "$API_PORT"
	start_bg scheduler "$af" scheduler "${skip[@]}"
	start_bg dag-processor "$af" dag-processor
	start_bg triggerer "$af" triggerer "${skip[@]}"
	for i in "${!WORKERS[@]}"; do worker_start "$i"; done
	WATCH=("${AIRFLOW_COMPONENTS[@]}")
	wait_until "api-server on 127.0.0.1:$API_PORT, scheduler, dag-processor, triggerer" 180 api_healthy
	wait_until "celery workers ${WORKERS[*]}" 180 workers_answer
	WATCH=()
	say "Airflow: http://127.0.0.1:$API_PORT  user admin, password in" \
		"$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated"
}

airflow_stop() {
	local i
	# Workers first and with time to finish (Celery's warm shutdown), then the rest.
	for ((i = ${#AIRFLOW_COMPONENTS[@]} - 1; i >= 0; i--)); do
		stop_pid "${AIRFLOW_COMPONENTS[i]}" "$STOP_TIMEOUT"
	done
}

# --- all of it -----------------------------------------------------------------------------------

start() {
	local t0=$SECONDS
	postgres_start
	redis_start
	s3_start
	airflow_start
	say "cluster up in $((SECONDS - t0))s; settings in $ENV_FILE"
}

stop() {
	local t0=$SECONDS
	airflow_stop
	s3_stop
	redis_stop
	postgres_stop
	say "cluster stopped in $((SECONDS - t0))s"
}

redis_stop() { stop_pid redis 30; }

status() {
	local name
	for name in "${AIRFLOW_COMPONENTS[@]}" seaweedfs redis; do
		if alive "$name"; then
			printf '  %-14s running  pid %s\n' "$name" "$(pid_of "$name")"
		else
			printf '  %-14s stopped\n' "$name"
		fi
	done
	if PG=$(pg_bin) && [ -d "$PGDATA" ] && pg_running; then
		printf '  %-14s running  pid %s\n' postgres "$(head -n1 "$PGDATA/postmaster.pid")"
	else
		printf '  %-14s stopped\n' postgres
	fi
	redis_ping && echo "  redis 127.0.0.1:$REDIS_PORT answers PONG"
	s3_answers && echo "  S3 http://127.0.0.1:$S3_PORT answers"
	if curl -sf -o /dev/null "http://127.0.0.1:$API_PORT/api/v2/monitor/health"; then
		echo "  Airflow health: $(curl -sf "http://127.0.0.1:$API_PORT/api/v2/monitor/health")"
	fi
	return 0
}

main() {
	[ $# -gt 0 ] || die "usage: ops/cluster.sh start|stop|status|deps|s3|s3-stop|postgres|postgres-stop|redis|redis-stop|airflow|airflow-stop|worker NAME"
	if [ "$1" = worker ]; then
		[ $# -eq 2 ] || die "usage: ops/cluster.sh worker NAME"
		config
		worker "$2"
		return
	fi
	local cmd
	for cmd in "$@"; do
		case $cmd in
		deps) deps ;;
		installable) installable ;;
		start)
			config
			start
			;;
		stop) stop ;;
		status) status ;;
		s3)
			config
			s3_start
			;;
		s3-stop) s3_stop ;;
		postgres)
			config
			postgres_start
			;;
		postgres-stop) postgres_stop ;;
		redis)
			config
			redis_start
			;;
		redis-stop) redis_stop ;;
		airflow)
			config
			airflow_start
			;;
		airflow-stop) airflow_stop ;;
		*) die "unknown command: $cmd" ;;
		esac
	done
}

main "$@"
