#!/usr/bin/env bash
# A single-node Slurm on this machine, loopback only, to check `run-dask --slurm` for real:
# writes a minimal slurm.conf (NodeAddr and the controller on 127.0.0.1), starts munged,
# slurmctld and slurmd inside a network namespace of their own (so nothing listens beyond it),
# runs a tiny study through two Slurm jobs (one Dask worker each), checks that its records say
# "dask", and stops everything. Needs root and Debian's slurm-wlm and munge (installed here if
# missing). Usage: scripts/slurm_check.sh [WORKDIR]   (make slurm-check)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
WORK=${1:-$(mktemp -d /tmp/fl-slurm.XXXXXX)}
NS=fl-slurm-$$
BIN=${FOURIERLENS_BIN:-$REPO/.build/release/fourierlens}
PYTHON=$REPO/.venv/bin/python

[ "$(id -u)" = 0 ] || { echo "slurm-check: needs root (daemons, ip netns)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "slurm-check: $BIN: expected the fourierlens binary (make build)" >&2; exit 2; }
for tool in slurmctld slurmd munged sbatch; do
    command -v "$tool" >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null; break; }
done

mkdir -p "$WORK"/{spool,state,log}
HOST=$(hostname -s)
CPUS=$(nproc)
MEMORY=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
export SLURM_CONF=$WORK/slurm.conf
cat > "$SLURM_CONF" <<EOF
ClusterName=fourierlens
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
NodeName=$HOST NodeAddr=127.0.0.1 NodeHostname=$HOST CPUs=$CPUS RealMemory=$MEMORY State=UNKNOWN
PartitionName=check Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF

stop() {
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    for _ in $(seq 10); do [ -z "$(ip netns pids "$NS" 2>/dev/null)" ] && break; sleep 1; done
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns delete "$NS" 2>/dev/null || true
}
trap stop EXIT
ip netns add "$NS"
# nsenter enters only the network namespace (`ip netns exec` would remount /sys and hide the
# cgroups slurmd needs). glibc's AI_ADDRCONFIG, which Slurm uses, counts no IPv4 address when
# 127.0.0.1 is the only one: a second loopback address (127.0.0.2 on lo) makes it resolve.
in_ns() { nsenter --net="/run/netns/$NS" "$@"; }
in_ns ip link set lo up
in_ns ip addr add 127.0.0.2/32 dev lo

# munged: its own socket in WORK, so a munged already running elsewhere is left alone.
mkdir -p "$WORK/munge"
in_ns munged --force --socket="$WORK/munge/munge.socket" --pid-file="$WORK/munge/munged.pid" \
    --log-file="$WORK/log/munged.log" --seed-file="$WORK/munge/munged.seed"
sed -i "s|^AuthType=auth/munge|AuthType=auth/munge\nAuthInfo=socket=$WORK/munge/munge.socket|" "$SLURM_CONF"
in_ns slurmctld -f "$SLURM_CONF"
in_ns slurmd -f "$SLURM_CONF"
for _ in $(seq 30); do
    in_ns sinfo -h -o %T 2>/dev/null | grep -qx idle && break
    sleep 1
done
in_ns sinfo

cat > "$WORK/study.yaml" <<EOF
title: Slurm check
question: Do the tasks of a study run as Slurm jobs?
dumps:
  minilm:
    path: $REPO/probes/data/minilm_demo.h5
analyses:
  - kind: spectrum
    name: embeddings
    datasets: [embeddings]
  - kind: lens
    name: lens
    shards: 2
EOF
in_ns env PYTHONPATH="$REPO/notebooks-export" "$PYTHON" -m fourierlens run-dask "$WORK/study.yaml" --out "$WORK/study" \
    --slurm --jobs 2 --cores 1 --memory 4GB --queue check --walltime 00:20:00 --host 127.0.0.1 --fourierlens "$BIN"
grep -l '"executor" : "dask"' "$WORK"/study/records/*.json
test "$(grep -l '"executor" : "dask"' "$WORK"/study/records/*.json | wc -l)" = 4
# The workers were Slurm jobs: each job's output is in the study's .slurm-logs.
test "$(ls "$WORK"/study/.slurm-logs/*.err | wc -l)" = 2
echo "slurm-check: the study ran as Slurm jobs: $WORK/study/index.html"
