#!/usr/bin/env bash
# A PostgreSQL primary and its streaming replica on this machine, for the replica router's tests
# and benchmarks: `start` makes both in $PEIXUN_REPLICA_DIR (default /tmp/peixun-replica-pair) —
# the primary with initdb on port $PRIMARY_PORT (5442), the replica with pg_basebackup -R on
# $REPLICA_PORT (5443), trust auth on 127.0.0.1 only — and waits until the replica streams;
# `stop` stops both and removes the directory; `status` prints the replica's state.
# The system's own cluster on 5432 is not touched. Needs Debian's postgresql package (its
# binaries under /usr/lib/postgresql/*/bin) and runs the servers as the postgres user.
set -euo pipefail

DIR=${PEIXUN_REPLICA_DIR:-/tmp/peixun-replica-pair}
PRIMARY_PORT=${PRIMARY_PORT:-5442}
REPLICA_PORT=${REPLICA_PORT:-5443}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$BIN" ] || { echo "replica_pair: no PostgreSQL binaries under /usr/lib/postgresql" >&2; exit 1; }

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
    for node in replica primary; do
        if [ -f "$DIR/$node/postmaster.pid" ]; then
            as_postgres "$BIN/pg_ctl" -D "$DIR/$node" -m immediate -w stop >/dev/null || true
        fi
    done
    rm -rf "$DIR"
}

start() {
    stop
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    as_postgres "$BIN/initdb" -D "$DIR/primary" -A trust -U postgres --no-sync -E UTF8 \
        --locale=C.UTF-8 >"$DIR/initdb.log"
    cat >>"$DIR/primary/postgresql.conf" <<CONF
port = $PRIMARY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
wal_level = replica
max_wal_senders = 4
# A throwaway test cluster: durability is not what is measured.
fsync = off
full_page_writes = off
CONF
    as_postgres "$BIN/pg_ctl" -D "$DIR/primary" -l "$DIR/primary.log" -w start >/dev/null
    as_postgres "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
        -D "$DIR/replica" -R -X stream -c fast
    cat >>"$DIR/replica/postgresql.conf" <<CONF
port = $REPLICA_PORT
hot_standby = on
CONF
    as_postgres "$BIN/pg_ctl" -D "$DIR/replica" -l "$DIR/replica.log" -w start >/dev/null
    for _ in $(seq 1 50); do
        if [ "$(status)" = "streaming" ]; then
            echo "replica_pair: primary 127.0.0.1:$PRIMARY_PORT, replica 127.0.0.1:$REPLICA_PORT (streaming)"
            return 0
        fi
        sleep 0.2
    done
    echo "replica_pair: the replica did not start streaming; see $DIR/replica.log" >&2
    exit 1
}

status() {
    psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -Atc \
        "SELECT coalesce((SELECT state FROM pg_stat_replication LIMIT 1), 'none')" 2>/dev/null \
        || echo "down"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
