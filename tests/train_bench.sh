#!/usr/bin/env bash
# train_bench.sh — `make bench` entry of train/: training samples/s over the
# 8,000 crossings of the shared data (synthetic ones if absent), 1 thread and
# 2 threads side by side, plus CPU time per crossing; at the default
# mini-batch (16) and at 128, where the threads synchronize 8x less often,
# with the telescope loss, then with the Sinkhorn loss the shipped weights
# are trained with (400 transport iterations per crossing dominate).
R="${RAD4ML:-build/bin/rad4ml}"
"$R" train --bench "$@" && "$R" train --bench --batch 128 "$@" &&
    "$R" train --bench --loss sinkhorn "$@"
