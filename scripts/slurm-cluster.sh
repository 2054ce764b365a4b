#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for `flens run --executor slurm` and its
# tests (Tests/FlensCLITests/SlurmCommandTests.swift):
#
#   bash scripts/slurm-cluster.sh start   # installs Debian's slurmctld, slurmd, munge if missing,
#                                         # writes /etc/slurm/slurm.conf, starts munged, slurmctld, slurmd
#   bash scripts/slurm-cluster.sh stop    # stops the three daemons this script started
#   bash scripts/slurm-cluster.sh status
#
# Run as root (SlurmUser=root; proctrack/linuxproc and task/none, so no cgroups or systemd
# are needed, as in a container). The node is this machine as `slurmd -C` sees it, in one
# partition `debug`. The daemons' logs and pid files are in $FLENS_SLURM_DIR (default
# /var/lib/flens-slurm). `start` waits until the node accepts jobs and exits non-zero, with
# the daemons' last log lines, when it does not: a test that needs the cluster then fails.
set -euo pipefail

DIR="${FLENS_SLURM_DIR:-/var/lib/flens-slurm}"
CONF=/etc/slurm/slurm.conf

die() { echo "slurm-cluster: $*" >&2; exit 1; }

install_packages() {
  local missing=()
  for p in slurmctld slurmd slurm-client munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "slurm-cluster: installing ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

write_config() {
  local host node
  host="$(hostname -s)"
  # The node's CPUs, sockets, cores and memory as slurmd detects them (first line of -C).
  node="$(slurmd -C | head -1)"
  [[ "$node" == NodeName=* ]] || die "slurmd -C printed '$node', not a node description"
  mkdir -p /etc/slurm "$DIR" /var/spool/slurmctld /var/spool/slurmd
  cat >"$CONF" <<CONF
# Written by FourierLens scripts/slurm-cluster.sh: a single-node test cluster.
ClusterName=flens
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobRequeue=1
# Finished jobs stay visible to scontrol for 5 minutes.
MinJobAge=300
${node}
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

start_munge() {
  if pid_alive "$DIR/munged.pid"; then return; fi
  [ -s /etc/munge/munge.key ] || { mkdir -p /etc/munge; dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none; }
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown root:root /etc/munge /etc/munge/munge.key /run/munge /var/lib/munge /var/log/munge
  chmod 700 /etc/munge; chmod 600 /etc/munge/munge.key; chmod 755 /run/munge
  # As root (the daemons' user here); --force: munged otherwise refuses some directory modes in containers.
  munged --force --pid-file="$DIR/munged.pid" --log-file="$DIR/munged.log" || die "munged did not start: $(tail -3 "$DIR/munged.log" 2>/dev/null)"
  munge -n | unmunge >/dev/null || die "munge cannot encode and decode a credential"
}

start() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (the cluster's SlurmUser)"
  install_packages
  if pid_alive "$DIR/slurmctld.pid" && pid_alive "$DIR/slurmd.pid" && scontrol ping >/dev/null 2>&1; then
    echo "slurm-cluster: already running" >&2
    return
  fi
  write_config
  start_munge
  pid_alive "$DIR/slurmctld.pid" || slurmctld -c || die "slurmctld did not start: $(tail -5 "$DIR/slurmctld.log" 2>/dev/null)"
  pid_alive "$DIR/slurmd.pid" || slurmd || die "slurmd did not start: $(tail -5 "$DIR/slurmd.log" 2>/dev/null)"
  local host state
  host="$(hostname -s)"
  for _ in $(seq 1 60); do
    state="$(sinfo --noheader --nodes="$host" --format=%T 2>/dev/null | head -1 || true)"
    case "$state" in
      idle|mixed|allocated) echo "slurm-cluster: node $host is $state; partition debug accepts jobs" >&2; return ;;
      drain*|down*|fail*) scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 1
  done
  die "node $host did not become idle (state '${state:-none}'); slurmctld: $(tail -3 "$DIR/slurmctld.log" 2>/dev/null) slurmd: $(tail -3 "$DIR/slurmd.log" 2>/dev/null)"
}

stop() {
  local name
  for name in slurmd slurmctld munged; do
    if pid_alive "$DIR/$name.pid"; then
      kill "$(cat "$DIR/$name.pid")"
      for _ in $(seq 1 20); do pid_alive "$DIR/$name.pid" || break; sleep 0.5; done
    fi
    rm -f "$DIR/$name.pid"
  done
  echo "slurm-cluster: stopped" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) scontrol ping && sinfo ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
