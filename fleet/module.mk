# fleet/: per-module weights for a whole detector (fleet train/images/verify/
# report), sharded jobs and their merge (flt_part), batch engines (submit).
LIB_SRCS += fleet/flt_part.c fleet/flt_json.c fleet/flt_manifest.c fleet/flt_table.c
CLI_SRCS += fleet/cmd_fleet.c fleet/flt_verify.c fleet/flt_report.c fleet/cmd_merge.c \
            fleet/cmd_submit.c
CHECK_TESTS += tests/check_fleet.c
SCRIPT_TESTS += tests/fleet_small.sh tests/shard_merge.sh tests/shard_kinds.sh tests/fleet_group.sh

# The 20-module synthetic fleet (train, images, verify, report): fleet/README.md.
.PHONY: fleet-demo test-slurm
fleet-demo: deps-ok $(CLI)
	tests/fleet_demo.sh

# A real single-node Slurm (apt-get slurm-wlm munge, config in a temporary
# folder, daemons stopped by pid): a sharded SEU campaign and a small fleet
# through job arrays, merged == local.  Needs root; not part of `make test`.
test-slurm: deps-ok $(CLI)
	tests/slurm_run.sh
