#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft, combined broker+controller) on
# 127.0.0.1, for integration tests and local use. The broker jars come from Maven
# Central via deploy/kafka/pom.xml; no tarball download, no ZooKeeper.
#
#   deploy/kafka-broker.sh fetch              resolve the jars once (idempotent)
#   deploy/kafka-broker.sh start DIR [PORT]   configure, format and start; wait until ready
#   deploy/kafka-broker.sh wait DIR           wait until the broker in DIR answers
#   deploy/kafka-broker.sh stop DIR           SIGTERM, then SIGKILL after a timeout
#   deploy/kafka-broker.sh status DIR         print state; exit 0 running, 3 stopped
#   deploy/kafka-broker.sh bootstrap DIR      print the bootstrap address (127.0.0.1:PORT)
#
# With SEGMENTD_KAFKA_SECURITY=sasl_ssl, start also opens a SASL_SSL listener
# (SCRAM-SHA-512 over TLS) on another free port: a CA and the broker's certificate are
# generated with openssl into DIR/tls/, one SCRAM user is created with a random password,
# and DIR/sasl_ssl.properties holds the librdkafka settings a client needs
# (bootstrap.servers, security.protocol, sasl.*, ssl.ca.location). The PLAINTEXT listener
# stays, for the broker itself and the tests' admin clients.
#
# Everything a broker owns lives in DIR (config, data, broker.log, broker.pid), so
# several brokers can run at once with different DIRs and ports.
#
# Environment:
#   SEGMENTD_KAFKA_HOME          jar cache (default ~/.cache/segmentd/kafka-<version>)
#   SEGMENTD_KAFKA_MAVEN_REPO    Maven local repository to use (default: Maven's, ~/.m2)
#   SEGMENTD_KAFKA_HEAP_OPTS     JVM heap flags (default "-Xms64m -Xmx512m")
#   SEGMENTD_KAFKA_JVM_OPTS      extra JVM flags
#   SEGMENTD_KAFKA_WAIT_TIMEOUT  seconds for start/wait (default 60)
#   SEGMENTD_KAFKA_STOP_TIMEOUT  seconds between SIGTERM and SIGKILL (default 30)
#   SEGMENTD_KAFKA_SECURITY      "sasl_ssl": also a SASL_SSL listener (fresh DIR only)
#   SEGMENTD_KAFKA_SCRAM_USER    the SCRAM user created with sasl_ssl (default segmentd)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="$here/kafka/pom.xml"
kafka_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")"
kafka_home="${SEGMENTD_KAFKA_HOME:-$HOME/.cache/segmentd/kafka-$kafka_version}"
libs="$kafka_home/libs"
default_port=19092

usage() {
  cat <<EOF
usage: $(basename "$0") COMMAND [ARGS]

A single-node Apache Kafka $kafka_version broker (KRaft mode) on 127.0.0.1.

commands:
  fetch              resolve the broker jars from Maven Central into
                     $kafka_home (once; fast when present)
  start DIR [PORT]   write DIR/server.properties (PLAINTEXT://127.0.0.1:PORT, default
                     $default_port; controller on another free loopback port), format KRaft
                     storage in DIR/data, start the broker in the background
                     (log DIR/broker.log, pid DIR/broker.pid) and wait until it is ready.
                     A DIR that already holds a stopped broker is restarted with its data.
  wait DIR           wait until the broker in DIR answers a metadata request
                     (timeout \${SEGMENTD_KAFKA_WAIT_TIMEOUT:-60}s, then shows the log tail)
  stop DIR           SIGTERM the broker, SIGKILL after \${SEGMENTD_KAFKA_STOP_TIMEOUT:-30}s
  status DIR         print whether the broker runs; exit 0 if it does, 3 if not
  bootstrap DIR      print the broker's bootstrap address
  secure-bootstrap DIR  print the SASL_SSL listener's address (SEGMENTD_KAFKA_SECURITY)

example:
  $(basename "$0") start /tmp/kafka1 19092 && kcat -L -b 127.0.0.1:19092
  $(basename "$0") stop /tmp/kafka1
EOF
}

die() { echo "kafka-broker: $*" >&2; exit 1; }
log() { echo "kafka-broker: $*" >&2; }

# ---------------------------------------------------------------- fetch

fetch_stamp() { sha256sum "$pom" | cut -d' ' -f1; }

fetched() { [ -f "$kafka_home/.fetched" ] && [ "$(cat "$kafka_home/.fetched")" = "$(fetch_stamp)" ]; }

cmd_fetch() {
  fetched && return 0
  command -v mvn >/dev/null || die "mvn not found (run deploy/install-deps.sh)"
  mkdir -p "$kafka_home"
  # Concurrent fetches (parallel tests) serialise here; the loser finds it done.
  exec 9>"$kafka_home/.lock"
  flock 9
  if fetched; then exec 9>&-; return 0; fi
  log "resolving Kafka $kafka_version jars into $libs"
  local work; work="$(mktemp -d "$kafka_home/.fetch.XXXXXX")"
  # Run Maven on a copy of the pom so nothing is written into the source tree.
  cp "$pom" "$work/pom.xml"
  local mvn_args=(-B -q -f "$work/pom.xml" dependency:copy-dependencies
                  -DincludeScope=runtime -DoutputDirectory="$work/libs")
  [ -n "${SEGMENTD_KAFKA_MAVEN_REPO:-}" ] && mvn_args+=(-Dmaven.repo.local="$SEGMENTD_KAFKA_MAVEN_REPO")
  if ! mvn "${mvn_args[@]}" >"$work/mvn.log" 2>&1; then
    cat "$work/mvn.log" >&2
    rm -rf "$work"
    die "mvn could not resolve org.apache.kafka:kafka_2.13:$kafka_version"
  fi
  [ -f "$work/libs/kafka_2.13-$kafka_version.jar" ] || die "kafka_2.13 jar missing after mvn"
  rm -rf "$libs"
  mv "$work/libs" "$libs"
  rm -rf "$work"
  fetch_stamp >"$kafka_home/.fetched"
  exec 9>&-
}

# ---------------------------------------------------------------- helpers

need_dir() { [ -n "${1:-}" ] || { usage >&2; exit 2; }; }

# Port of the broker configured in DIR.
dir_port() {
  [ -f "$1/server.properties" ] || die "$1 holds no broker (no server.properties); use start"
  sed -n 's|^advertised.listeners=PLAINTEXT://127.0.0.1:\([0-9]*\).*$|\1|p' "$1/server.properties"
}

# Port of the SASL_SSL listener configured in DIR (nothing without one).
dir_secure_port() {
  [ -f "$1/server.properties" ] || die "$1 holds no broker (no server.properties); use start"
  sed -n 's|^advertised.listeners=.*SASL_SSL://127.0.0.1:\([0-9]*\).*$|\1|p' "$1/server.properties"
}

# PID of the broker in DIR if it is alive (and really is that broker), else nothing.
live_pid() {
  local dir="$1" pid
  [ -f "$dir/broker.pid" ] || return 1
  pid="$(cat "$dir/broker.pid")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid: the process must run kafka.Kafka on DIR's config.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $dir/server.properties" || return 1
  echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local py
  for py in /usr/bin/python3 python3; do
    if command -v "$py" >/dev/null; then
      "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
      return
    fi
  done
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 12000))
    port_in_use "$p" || { echo "$p"; return; }
  done
  die "no free loopback port found"
}

classpath() { echo "$libs/*"; }

# ---------------------------------------------------------------- start

# SPORT: the SASL_SSL listener's port, empty for none.
write_config() {
  local dir="$1" port="$2" cport="$3" sport="${4:-}"
  local listeners="PLAINTEXT://127.0.0.1:$port" secure_listener=""
  [ -z "$sport" ] || secure_listener=",SASL_SSL://127.0.0.1:$sport"
  cat >"$dir/server.properties" <<EOF
# Written by deploy/kafka-broker.sh: single-node KRaft broker+controller for tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=$listeners$secure_listener,CONTROLLER://127.0.0.1:$cport
advertised.listeners=$listeners$secure_listener
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL
log.dirs=$dir/data
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
# One partition each (default 50) so the first group join / init_transactions is quick.
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
# Small machine: fewer threads and a small log-cleaner buffer (default 128 MiB of heap).
num.network.threads=2
num.io.threads=4
log.cleaner.dedupe.buffer.size=16777216
EOF
  cat >"$dir/log4j.properties" <<'EOF'
# Everything to stdout, which kafka-broker.sh appends to DIR/broker.log.
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.org.apache.kafka.storage.internals.log.LogCleaner=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
EOF
  # For one-off tools (storage format): warnings and errors only.
  cat >"$dir/tools-log4j.properties" <<'EOF'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

# ---------------------------------------------------------------- SASL_SSL

random_hex() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# DIR/tls: a throwaway CA (ca.pem, for clients' ssl.ca.location) and the broker's key and
# certificate for 127.0.0.1/localhost signed by it, as a PKCS12 keystore (broker.p12).
make_tls() {
  local tls="$1/tls" password="$2"
  command -v openssl >/dev/null || die "openssl not found"
  mkdir -p "$tls"
  (
    set -e
    cd "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 \
      -subj "/CN=segmentd test CA" -addext basicConstraints=critical,CA:true \
      -addext keyUsage=critical,keyCertSign,cRLSign
    openssl req -newkey rsa:2048 -nodes -keyout broker.key -out broker.csr -subj "/CN=localhost"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >broker.ext
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
      -extfile broker.ext -out broker.pem
    openssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem -name broker \
      -passout "pass:$password" -out broker.p12
    rm -f ca.key broker.key broker.csr broker.ext ca.srl
  ) >"$tls/openssl.log" 2>&1 || { cat "$tls/openssl.log" >&2; die "generating certificates in $tls failed"; }
}

# The SASL_SSL listener's part of server.properties.
sasl_ssl_config() {
  local dir="$1" password="$2"
  cat <<EOF
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$dir/tls/broker.p12
ssl.keystore.password=$password
ssl.key.password=$password
ssl.client.auth=none
EOF
}

# A Kafka cluster id: 16 random bytes in URL-safe base64. One starting with '-' would be
# read by kafka-storage's argument parser as an option (a 1-in-64 start-up failure).
random_cluster_id() {
  local id
  until [[ ${id:-} != "" && ${id:0:1} != "-" ]]; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  done
  printf '%s' "$id"
}

cmd_start() {
  need_dir "${1:-}"
  local dir port="${2:-}"
  mkdir -p "$1"
  dir="$(cd "$1" && pwd)"
  [ -z "$port" ] || [[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$port'"
  command -v java >/dev/null || die "java not found (run deploy/install-deps.sh)"
  cmd_fetch

  local pid
  if pid="$(live_pid "$dir")"; then
    die "a broker already runs in $dir (pid $pid)"
  fi

  if [ -f "$dir/data/meta.properties" ] && [ -f "$dir/server.properties" ]; then
    # Restart of a stopped broker: keep its config and data.
    local old; old="$(dir_port "$dir")"
    [ -z "$port" ] || [ "$port" = "$old" ] || die "$dir is configured for port $old, not $port; use a fresh DIR"
    port="$old"
    port_in_use "$port" && die "port $port on 127.0.0.1 is already in use"
    log "restarting the broker in $dir on 127.0.0.1:$port"
  else
    port="${port:-$default_port}"
    port_in_use "$port" && die "port $port on 127.0.0.1 is already in use"
    local cport
    cport="$(free_port)"
    [ "$cport" != "$port" ] || cport="$(free_port)"
    rm -rf "$dir/data"
    mkdir -p "$dir/data"
    local sport="" keystore_password="" format_args=()
    case "${SEGMENTD_KAFKA_SECURITY:-}" in
      "") ;;
      sasl_ssl)
        sport="$(free_port)"
        while [ "$sport" = "$port" ] || [ "$sport" = "$cport" ]; do sport="$(free_port)"; done
        local user="${SEGMENTD_KAFKA_SCRAM_USER:-segmentd}" scram_password
        keystore_password="$(random_hex)"
        scram_password="$(random_hex)"
        make_tls "$dir" "$keystore_password"
        format_args=(--add-scram "SCRAM-SHA-512=[name=$user,password=$scram_password]")
        (umask 077 && cat >"$dir/sasl_ssl.properties" <<EOF
bootstrap.servers=127.0.0.1:$sport
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.username=$user
sasl.password=$scram_password
ssl.ca.location=$dir/tls/ca.pem
EOF
        ) ;;
      *) die "SEGMENTD_KAFKA_SECURITY must be empty or sasl_ssl, got '$SEGMENTD_KAFKA_SECURITY'" ;;
    esac
    write_config "$dir" "$port" "$cport" "$sport"
    [ -z "$sport" ] || sasl_ssl_config "$dir" "$keystore_password" >>"$dir/server.properties"
    java -Xmx256m -Dlog4j.configuration="file:$dir/tools-log4j.properties" -cp "$(classpath)" \
      kafka.tools.StorageTool format -t "$(random_cluster_id)" -c "$dir/server.properties" \
      "${format_args[@]}" \
      >"$dir/format.log" 2>&1 || { tail -n 40 "$dir/format.log" >&2; die "formatting KRaft storage in $dir/data failed"; }
  fi

  # Each run gets a fresh broker.log; the previous run's is kept as broker.log.prev.
  [ -f "$dir/broker.log" ] && mv -f "$dir/broker.log" "$dir/broker.log.prev"
  # shellcheck disable=SC2086  # the option strings are meant to be split
  setsid java ${SEGMENTD_KAFKA_HEAP_OPTS:--Xms64m -Xmx512m} \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$dir/log4j.properties" -Dkafka.logs.dir="$dir" \
    ${SEGMENTD_KAFKA_JVM_OPTS:-} \
    -cp "$(classpath)" kafka.Kafka "$dir/server.properties" \
    >>"$dir/broker.log" 2>&1 </dev/null &
  echo $! >"$dir/broker.pid"
  # A start that fails leaves nothing running (cmd_wait has shown the log tail).
  if ! (cmd_wait "$dir"); then
    cmd_stop "$dir" 2>/dev/null || true
    die "start failed; see $dir/broker.log"
  fi
}

# ---------------------------------------------------------------- wait

# One metadata request; succeeds when the broker answers and lists itself.
probe() {
  local bootstrap="$1" dir="$2"
  if command -v kcat >/dev/null; then
    kcat -L -b "$bootstrap" -m 2 2>/dev/null | grep -q ' broker 1 at '
  elif /usr/bin/python3 -c 'import confluent_kafka' 2>/dev/null; then
    /usr/bin/python3 - "$bootstrap" <<'EOF' 2>/dev/null
import sys
from confluent_kafka.admin import AdminClient
md = AdminClient({"bootstrap.servers": sys.argv[1]}).list_topics(timeout=2)
sys.exit(0 if 1 in md.brokers else 1)
EOF
  else
    port_in_use "${bootstrap##*:}" && grep -q 'Kafka Server started' "$dir/broker.log"
  fi
}

log_tail() { echo "--- last 40 lines of $1/broker.log ---" >&2; tail -n 40 "$1/broker.log" >&2 || true; }

cmd_wait() {
  need_dir "${1:-}"
  local dir; dir="$(cd "$1" 2>/dev/null && pwd)" || die "no such directory: $1"
  local port; port="$(dir_port "$dir")"
  local timeout="${SEGMENTD_KAFKA_WAIT_TIMEOUT:-60}"
  local deadline=$((SECONDS + timeout))
  local pid; pid="$(cat "$dir/broker.pid" 2>/dev/null)" || die "no broker was started in $dir (no broker.pid)"
  while :; do
    # kill -0 rather than live_pid: right after start the pid may still be setsid
    # exec'ing java, so its command line is not yet the broker's.
    if ! kill -0 "$pid" 2>/dev/null; then
      log_tail "$dir"
      die "the broker in $dir is not running (it exited or was never started)"
    fi
    if probe "127.0.0.1:$port" "$dir"; then
      log "broker ready on 127.0.0.1:$port (dir $dir)"
      return 0
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log_tail "$dir"
      die "the broker in $dir did not answer on 127.0.0.1:$port within ${timeout}s"
    fi
    sleep 0.5
  done
}

# ---------------------------------------------------------------- stop / status

cmd_stop() {
  need_dir "${1:-}"
  local dir; dir="$(cd "$1" 2>/dev/null && pwd)" || die "no such directory: $1"
  local pid
  if ! pid="$(live_pid "$dir")"; then
    rm -f "$dir/broker.pid"
    log "no broker running in $dir"
    return 0
  fi
  local timeout="${SEGMENTD_KAFKA_STOP_TIMEOUT:-30}"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "broker pid $pid still up after ${timeout}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.2
  done
  rm -f "$dir/broker.pid"
  log "broker in $dir stopped"
}

cmd_status() {
  need_dir "${1:-}"
  local dir; dir="$(cd "$1" 2>/dev/null && pwd)" || { echo "stopped (no such directory: $1)"; exit 3; }
  local pid port
  if pid="$(live_pid "$dir")"; then
    port="$(dir_port "$dir")"
    echo "running pid=$pid bootstrap=127.0.0.1:$port dir=$dir"
  else
    echo "stopped dir=$dir"
    exit 3
  fi
}

cmd_secure_bootstrap() {
  need_dir "${1:-}"
  local dir; dir="$(cd "$1" 2>/dev/null && pwd)" || die "no such directory: $1"
  local port; port="$(dir_secure_port "$dir")"
  [ -n "$port" ] || die "the broker in $dir has no SASL_SSL listener (start it with SEGMENTD_KAFKA_SECURITY=sasl_ssl)"
  echo "127.0.0.1:$port"
}

cmd_bootstrap() {
  need_dir "${1:-}"
  local dir; dir="$(cd "$1" 2>/dev/null && pwd)" || die "no such directory: $1"
  local port; port="$(dir_port "$dir")"
  echo "127.0.0.1:$port"
}

# ---------------------------------------------------------------- main

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  fetch) cmd_fetch ;;
  start) cmd_start "$@" ;;
  wait) cmd_wait "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status "$@" ;;
  bootstrap) cmd_bootstrap "$@" ;;
  secure-bootstrap) cmd_secure_bootstrap "$@" ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
