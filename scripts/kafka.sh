#!/usr/bin/env bash
# A real single-node Apache Kafka 3.9 (KRaft, broker and controller in one process) on 127.0.0.1, without
# Docker: the jars come from Maven Central through Maven, the broker runs on the machine's Java.
#
#   scripts/kafka.sh fetch    resolve Kafka and its runtime dependencies into .cache/kafka/lib (once)
#   scripts/kafka.sh up       start the broker (fetching and formatting its storage first when needed), wait
#                             until it serves, print its bootstrap address on stdout; already running: the same
#   scripts/kafka.sh down     stop it (SIGTERM, SIGKILL after EVTC_KAFKA_STOP_TIMEOUT seconds); stopped: nothing
#   scripts/kafka.sh status   print `running <address> pid <pid>` and exit 0, or `stopped` and exit 3
#   scripts/kafka.sh reset    stop it and delete its data, configuration and logs
#
# Environment:
#   EVTC_KAFKA_DIR            the broker's state: config, data, logs, pid (default .cache/kafka/broker); one
#                             directory is one broker, so tests give each run a directory of its own
#   EVTC_KAFKA_PORT           the client port of a new state directory (default: a free port, chosen once and
#                             kept, so a restarted broker comes back at the same address)
#   EVTC_KAFKA_START_TIMEOUT  seconds `up` waits for the broker (default 90)
#   EVTC_KAFKA_STOP_TIMEOUT   seconds `down` waits before killing it (default 30)
#   EVTC_KAFKA_HEAP           the broker's -Xmx (default 512m)
#
# The server log is <state>/logs/server.log, what the JVM prints <state>/logs/kafka.out.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$ROOT/scripts/kafka/pom.xml"
CACHE="$ROOT/.cache/kafka"
LIB="$CACHE/lib"
STATE="${EVTC_KAFKA_DIR:-$CACHE/broker}"
START_TIMEOUT="${EVTC_KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${EVTC_KAFKA_STOP_TIMEOUT:-30}"
HEAP="${EVTC_KAFKA_HEAP:-512m}"

say() { echo "kafka.sh: $*" >&2; }
die() {
  echo "kafka.sh: error: $*" >&2
  exit 1
}

need_java() {
  command -v java >/dev/null 2>&1 ||
    die "java not found: the Kafka broker needs a Java runtime, 11 or later (17 recommended); install one, e.g. \`apt-get install openjdk-17-jre-headless\`, or put its bin/ on PATH"
  local version major
  version="$(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)"
  major="${version%%.*}"
  [ "$major" = 1 ] && major="$(echo "$version" | cut -d. -f2)"
  if [[ "$major" =~ ^[0-9]+$ ]] && [ "$major" -lt 11 ]; then
    die "java $version is too old: Kafka 3.9 needs Java 11 or later (17 recommended)"
  fi
}

need_node() {
  command -v node >/dev/null 2>&1 || die "node not found: it picks free ports; install Node.js 20 or later"
}

# The pom's hash marks which dependency set lib/ holds, so a changed pom fetches again.
pom_stamp() { sha256sum "$POM" | cut -d' ' -f1; }

cmd_fetch() {
  need_java
  if [ -f "$LIB/.stamp" ] && [ "$(cat "$LIB/.stamp")" = "$(pom_stamp)" ]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 ||
    die "mvn not found: Kafka's jars are fetched from Maven Central with Maven; install it, e.g. \`apt-get install maven\`"
  say "fetching Kafka's jars from Maven Central into ${LIB#"$ROOT/"}"
  local tmp="$LIB.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$CACHE"
  if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$tmp" >"$CACHE/fetch.log" 2>&1; then
    cat "$CACHE/fetch.log" >&2
    rm -rf "$tmp"
    die "mvn could not resolve Kafka's jars (its output is above and in ${CACHE#"$ROOT/"}/fetch.log)"
  fi
  pom_stamp >"$tmp/.stamp"
  rm -rf "$LIB"
  mv "$tmp" "$LIB"
}

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# The broker's pid, if the process recorded in the state directory is alive and is this broker.
running_pid() {
  [ -f "$STATE/kafka.pid" ] || return 1
  local pid
  pid="$(cat "$STATE/kafka.pid")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$STATE/server.properties" || return 1
  echo "$pid"
}

address() { echo "127.0.0.1:$(cat "$STATE/port")"; }

write_config() {
  local port controller
  port="${EVTC_KAFKA_PORT:-$(free_port)}"
  controller="$(free_port)"
  while [ "$controller" = "$port" ]; do controller="$(free_port)"; done
  mkdir -p "$STATE/data" "$STATE/logs"
  echo "$port" >"$STATE/port"
  cat >"$STATE/server.properties" <<EOF
# Written by scripts/kafka.sh: one node acting as broker and KRaft controller, for tests and local work.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$STATE/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
background.threads=4
num.recovery.threads.per.data.dir=1
EOF
  cat >"$STATE/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$STATE/logs/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
EOF
}

format_storage() {
  # A cluster id is 16 random bytes in URL-safe base64 without padding, as `kafka-storage random-uuid` prints.
  # (Not one starting with `-`, which the tool would take for an option.)
  local id="-"
  while [[ "$id" == -* ]]; do id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"; done
  if ! java -cp "$LIB/*" -Dlog4j.configuration="file:$STATE/log4j.properties" kafka.tools.StorageTool \
    format -t "$id" -c "$STATE/server.properties" >"$STATE/logs/format.out" 2>&1; then
    cat "$STATE/logs/format.out" >&2
    die "formatting the broker's storage in $STATE/data failed"
  fi
}

cmd_up() {
  need_java
  mkdir -p "$STATE"
  exec 9>"$STATE/lock"
  flock 9
  if running_pid >/dev/null; then
    address
    return 0
  fi
  cmd_fetch
  need_node
  [ -f "$STATE/server.properties" ] || write_config
  [ -f "$STATE/data/meta.properties" ] || format_storage

  local started=$SECONDS log="$STATE/logs/server.log" skip=0
  # Only a "started" line written by this start counts, not one left by an earlier run.
  [ -f "$log" ] && skip="$(wc -l <"$log")"
  # setsid: the broker outlives the shell that started it and gets no signals meant for that shell's group.
  setsid java -Xms128m -Xmx"$HEAP" -XX:+UseG1GC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$STATE/log4j.properties" -Dkafka.logs.dir="$STATE/logs" \
    -cp "$LIB/*" kafka.Kafka "$STATE/server.properties" </dev/null >>"$STATE/logs/kafka.out" 2>&1 9>&- &
  local pid=$!
  echo "$pid" >"$STATE/kafka.pid"

  local port
  port="$(cat "$STATE/port")"
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$STATE/logs/kafka.out" "$log" >&2 2>/dev/null || true
      die "the broker exited during start-up (logs in $STATE/logs)"
    fi
    if tail -n +"$((skip + 1))" "$log" 2>/dev/null | grep -q "Kafka Server started" &&
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      break
    fi
    if [ $((SECONDS - started)) -ge "$START_TIMEOUT" ]; then
      tail -n 30 "$log" >&2 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
      die "the broker did not start within ${START_TIMEOUT}s (logs in $STATE/logs)"
    fi
    sleep 0.2
  done
  say "broker up at $(address) in $((SECONDS - started))s (pid $pid, state in $STATE)"
  address
}

cmd_down() {
  [ -d "$STATE" ] || return 0
  exec 9>"$STATE/lock"
  flock 9
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$STATE/kafka.pid"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge $((STOP_TIMEOUT * 10)) ]; then
      say "the broker did not stop within ${STOP_TIMEOUT}s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$STATE/kafka.pid"
  say "broker stopped"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    echo "running $(address) pid $pid"
  else
    echo "stopped"
    exit 3
  fi
}

cmd_reset() {
  cmd_down
  exec 9>&-
  [ -d "$STATE" ] || return 0
  # Delete only what this script made: a directory with its configuration or nothing in it.
  [ -f "$STATE/server.properties" ] || [ -z "$(ls -A "$STATE" | grep -v '^lock$')" ] ||
    die "$STATE does not look like a broker state directory of this script: not deleting it"
  rm -rf "$STATE"
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  *)
    echo "usage: scripts/kafka.sh fetch|up|down|status|reset" >&2
    exit 2
    ;;
esac
