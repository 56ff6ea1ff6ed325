#!/usr/bin/env bash
# A real single-node SLURM on this machine, for testing the workflow's SLURM path
# (tests/workflows/test_slurm.py): munge, slurmctld and slurmd from the distribution's packages.
#
#   bash workflows/cluster/start_local_slurm.sh install   # apt-get install (root, Debian/Ubuntu)
#   bash workflows/cluster/start_local_slurm.sh start     # write slurm.conf, start, wait until idle
#   bash workflows/cluster/start_local_slurm.sh status
#   bash workflows/cluster/start_local_slurm.sh stop
#
# slurm.conf describes this host as `slurmd -C` sees it (cores, memory) with one partition,
# $A3C_SLURM_PARTITION (default a3ctest). There is no accounting database (slurmdbd): jobs are
# tracked with squeue, so MinJobAge keeps finished jobs visible for 10 minutes; run Snakemake with
# `--slurm-status-command squeue`. Any account name is accepted (no AccountingStorageEnforce).
# The config goes to /etc/slurm/slurm.conf (where every SLURM command, srun inside a job included,
# looks), and only if that file is absent or was written by this script. State, logs and pid files
# live in $A3C_SLURM_STATE (default /var/tmp/a3c-local-slurm). Exit codes: 0 ok, 1 failed,
# 3 cannot run here (not root, packages missing and no apt-get).
set -euo pipefail

STATE=${A3C_SLURM_STATE:-/var/tmp/a3c-local-slurm}
PARTITION=${A3C_SLURM_PARTITION:-a3ctest}
CONF=/etc/slurm/slurm.conf
MARK="# written by a3c-repro workflows/cluster/start_local_slurm.sh"
PACKAGES=(munge slurmctld slurmd slurm-client)
COMMANDS=(munged slurmctld slurmd sinfo squeue sbatch scancel scontrol srun)

say() { echo "local-slurm: $*" >&2; }
cannot() { say "$*"; exit 3; }

missing_commands() {
  local c out=()
  for c in "${COMMANDS[@]}"; do command -v "$c" >/dev/null || out+=("$c"); done
  echo "${out[*]:-}"
}

do_install() {
  [ -z "$(missing_commands)" ] && { say "already installed"; return 0; }
  [ "$(id -u)" = 0 ] || cannot "not root: cannot install ${PACKAGES[*]}"
  command -v apt-get >/dev/null || cannot "no apt-get: install ${PACKAGES[*]} with your package manager"
  # No init system starts services here; keep the packages' postinst from trying.
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created=1; fi
  local rc=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"; } \
    > "/tmp/a3c-local-slurm-install.log" 2>&1 || rc=$?
  [ "$created" = 1 ] && rm -f "$policy"
  if [ "$rc" != 0 ]; then
    tail -20 /tmp/a3c-local-slurm-install.log >&2
    cannot "apt-get install ${PACKAGES[*]} failed (log: /tmp/a3c-local-slurm-install.log)"
  fi
  [ -z "$(missing_commands)" ] || cannot "installed, but still missing: $(missing_commands)"
  say "installed: $(sinfo --version)"
}

write_conf() {
  if [ -e "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
    say "$CONF exists and was not written by this script: refusing to replace it"; exit 1
  fi
  local node host cpus mem
  node=$(slurmd -C | head -1)                # NodeName=... CPUs=... RealMemory=...
  host=$(hostname -s)
  cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$node")
  mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node")
  mem=$(( mem * 95 / 100 ))                  # leave the OS some room; must not exceed what slurmd sees
  node=$(sed -e "s/RealMemory=[0-9]*/RealMemory=$mem/" -e "s/^NodeName=[^ ]*/NodeName=$host/" <<<"$node")
  mkdir -p /etc/slurm
  cat > "$CONF" <<CONF
$MARK
# A single-node test cluster on $host: $cpus CPUs, $mem MB for jobs.
ClusterName=a3clocal
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
# No cgroups (containers rarely allow them): processes tracked by parentage, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# Finished jobs stay visible to squeue for 10 min (the executor plugin tracks jobs with squeue
# when MinJobAge >= 3 x its first status-check delay).
MinJobAge=600
# scancel: SIGTERM, then SIGKILL after KillWait s (the trainer checkpoints on SIGTERM).
KillWait=20
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=$PARTITION Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  say "wrote $CONF: $cpus CPUs, RealMemory=$mem MB, partition $PARTITION"
}

pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_munge() {
  if [ -S /run/munge/munge.socket.2 ] && munge -n </dev/null >/dev/null 2>&1; then return 0; fi
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  chmod 0755 /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    if command -v mungekey >/dev/null; then mungekey --create --keyfile /etc/munge/munge.key
    else dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; fi
  fi
  chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
  runuser -u munge -- /usr/sbin/munged
  touch "$STATE/munged.ours"                 # stop ends it again
  munge -n </dev/null | unmunge >/dev/null || { say "munge does not work"; exit 1; }
}

wait_idle() {
  local host state i
  host=$(hostname -s)
  for i in $(seq 1 60); do
    state=$(sinfo -h -N -n "$host" -o %T 2>/dev/null | head -1 || true)
    case "$state" in
      idle|mixed|allocated) say "node $host is $state (partition $PARTITION)"; return 0 ;;
      drain*|down*|inval*|fail*) scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 1
  done
  say "node $host not idle after 60 s (state '${state:-none}'); logs: $STATE/log/"
  tail -5 "$STATE"/log/*.log >&2 || true
  exit 1
}

do_start() {
  [ "$(id -u)" = 0 ] || cannot "not root: cannot start slurmctld/slurmd/munged"
  [ -z "$(missing_commands)" ] || cannot "SLURM not installed (missing: $(missing_commands)); run: $0 install"
  do_stop quiet
  mkdir -p "$STATE"/{ctld,spool,log}
  write_conf
  start_munge
  rm -f "$STATE"/log/*.log
  slurmctld -c          # -c: a clean start, no jobs from an earlier session
  slurmd
  wait_idle
}

do_stop() {
  local f pid i
  for f in "$STATE/slurmd.pid" "$STATE/slurmctld.pid"; do
    if pid_alive "$f"; then
      pid=$(cat "$f"); kill "$pid" 2>/dev/null || true
      for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
  [ "${1:-}" = quiet ] && return 0
  if [ -e "$STATE/munged.ours" ] && pid_alive /run/munge/munged.pid; then
    kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
  fi
  rm -f "$STATE/munged.ours"
  say "stopped slurmctld, slurmd and munged"
}

do_status() {
  pid_alive "$STATE/slurmctld.pid" && pid_alive "$STATE/slurmd.pid" || { say "not running"; exit 1; }
  sinfo -N -l
}

case "${1:-}" in
  install) do_install ;;
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
