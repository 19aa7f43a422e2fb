#!/usr/bin/env bash
# slurm_run.sh — `make test-slurm` (not in `make test`; needs root): starts a
# real single-node Slurm on this machine and runs sharded jobs through it
# with `rad4ml submit --slurm` (a job array + a merge job depending on it):
#   1. an SEU sensitivity campaign (built-in ECON-T, 4 shards)
#   2. a small fleet (fleet/testdata/fleet4.csv): train (2 shards), then
#      images locally, verify (2 shards, each builds its Verilated model)
#   3. a fleet whose module 3 has no data file: task 1 fails, is named by
#      submit with its rerun command, the merge job is cancelled
# and checks every merged result equals the local unsharded run, byte for
# byte.  Installs slurm-wlm and munge with apt-get when missing.  Everything
# else stays in a temporary folder: slurm.conf (SLURM_CONF, daemons started
# with -f), state, spool, logs, pid files, a munge key and socket of its own
# (slurm.conf AuthInfo points at it); /etc is not written.  Every daemon it
# started is stopped by pid at the end.  Prints its time.
set -eu
start=$(date +%s)
R=${RAD4ML:-build/bin/rad4ml}
R=$(cd "$(dirname "$R")" && pwd)/$(basename "$R")
[ "$(id -u)" = 0 ] || { echo "test-slurm: needs root (apt-get, daemons)"; exit 1; }
if ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge > /dev/null
fi
[ -c /dev/null ] || { echo "test-slurm: /dev/null is not a character device (something replaced it; as root: rm /dev/null; mknod -m 666 /dev/null c 1 3); munged cannot run"; exit 1; }
for d in slurmctld slurmd; do
    if pgrep -x $d > /dev/null; then echo "test-slurm: a $d already runs here; not starting a second"; exit 1; fi
done
D=$(mktemp -d /tmp/rad4ml_slurm.XXXXXX)
chmod 755 "$D"
H=$(hostname -s)
MU=$D/munge
mkdir -p "$MU" "$D/state" "$D/spool" "$D/work"
chown munge:munge "$MU"
chmod 755 "$MU"      # munged: socket dir must be searchable by all
pids=""
ok=0
stop() {
    for p in "$D/d.pid" "$D/ctld.pid" "$MU/munged.pid"; do
        if [ -s "$p" ]; then kill "$(cat "$p")" 2> /dev/null || true; fi
    done
    sleep 1
    if [ $ok = 1 ]; then rm -rf "$D"; echo "test-slurm: daemons stopped, $D removed"
    else echo "test-slurm: daemons stopped; logs in $D"; fi
}
trap stop EXIT
runuser -u munge -- mungekey -c -k "$MU/munge.key"
runuser -u munge -- munged --socket="$MU/munge.sock" --key-file="$MU/munge.key" \
    --pid-file="$MU/munged.pid" --log-file="$MU/munged.log" --seed-file="$MU/munged.seed"
cat > "$D/slurm.conf" <<CONF
ClusterName=rad4mltest
SlurmctldHost=$H
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MU/munge.sock
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldLogFile=$D/ctld.log
SlurmdLogFile=$D/d.log
SlurmctldPidFile=$D/ctld.pid
SlurmdPidFile=$D/d.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$H CPUs=$(nproc) RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=$H Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$D/slurm.conf
/usr/sbin/slurmctld -f "$SLURM_CONF"
/usr/sbin/slurmd -f "$SLURM_CONF"
for i in $(seq 60); do
    sinfo -h -o %t 2> /dev/null | grep -q idle && break
    sleep 1
done
sinfo -h -o %t | grep -q idle || { echo "test-slurm: the node did not come up"; tail "$D"/*.log; exit 1; }
echo "test-slurm: Slurm $(sinfo -V | awk '{print $2}') up on $H ($(nproc) CPUs) in $(( $(date +%s) - start )) s"
fail() { echo "test-slurm FAIL: $*"; exit 1; }

# 1. SEU sensitivity map, 4 array tasks (the map's provenance block is shard
# 0's; its date is fixed so that it is the same in the local run; sbatch
# passes the environment on)
export SOURCE_DATE_EPOCH=1760000000
W=$D/work
S="--crossings 40 --threads 1"
t0=$(date +%s)
"$R" seu $S --json "$W/seu_local.json" > /dev/null
"$R" submit --shards 4 --slurm --wait -- seu $S --json "$W/seu_slurm.json"
cmp "$W/seu_local.json" "$W/seu_slurm.json" || fail "SEU map: merged (Slurm) != local"
echo "test-slurm: SEU map over 4 array tasks == local ($(( $(date +%s) - t0 )) s)"

# 2. a small fleet: train and verify through Slurm
t0=$(date +%s)
sed 's|^real_ld,[^,]*,|real_ld,'"$PWD"'/data/samples/hgcal_ld_module_eportrx.csv,|' \
    fleet/testdata/fleet4.csv > "$W/fleet.csv"
TR="--manifest $W/fleet.csv --base-model $PWD/fleet/testdata/small48d.json --crossings 800 --loss telescope"
"$R" fleet train $TR --out "$W/local" > /dev/null
"$R" submit --shards 2 --slurm --wait -- fleet train $TR --out "$W/slurm"
cmp "$W/local/train.csv" "$W/slurm/train.csv" || fail "fleet train: merged (Slurm) != local"
for f in "$W"/local/modules/*; do cmp "$f" "$W/slurm/modules/$(basename "$f")"; done
"$R" fleet images --out "$W/local" > /dev/null
"$R" fleet images --out "$W/slurm" > /dev/null
"$R" fleet verify --out "$W/local" --vectors 1500 > /dev/null
"$R" submit --shards 2 --slurm --wait -- fleet verify --out "$W/slurm" --vectors 1500
cmp "$W/local/verify.csv" "$W/slurm/verify.csv" || fail "fleet verify: merged (Slurm) != local"
cat "$W/slurm/verify.csv"
echo "test-slurm: fleet train + verify over 2 array tasks each == local ($(( $(date +%s) - t0 )) s)"

# 3. a failing array task: reported by id, the merge job cancelled, nothing merged
sed 's|^real_ld,[^,]*,|real_ld,'"$W"'/missing.csv,|' fleet/testdata/fleet4.csv > "$W/bad.csv"
if "$R" submit --shards 2 --slurm --wait -- fleet train --manifest "$W/bad.csv" \
        --base-model "$PWD/fleet/testdata/small48d.json" --crossings 800 --loss telescope \
        --out "$W/bad" 2> "$W/bad.err"; then
    fail "a failing array task went unnoticed"; fi
cat "$W/bad.err"
grep -q "shard 1/2 FAILED" "$W/bad.err" && ! grep -q "shard 0/2 FAILED" "$W/bad.err" \
    || fail "the failed task is not named"
[ ! -e "$W/bad/train.csv" ] || fail "merged despite a failed task"
echo "test-slurm: a failed array task is named with its rerun command, nothing merged"
ok=1
echo "test-slurm: PASS in $(( $(date +%s) - start )) s"
