# train/: quantization-aware training (trn_), synthetic data, `train`.
LIB_SRCS     += train/trn_quant.c train/trn_net.c train/trn_pass.c train/trn_loss.c \
                train/trn_synth.c train/trn_fit.c train/trn_eval.c
CLI_SRCS     += train/cmd_train.c
CHECK_TESTS  += tests/check_train.c tests/check_train_exact.c
SCRIPT_TESTS += tests/train_cli.sh tests/train_shipped.sh
BENCH_CMDS   += tests/train_bench.sh ;

# The training inner loops: -O3 (vectorization of the channel loops).
$(BUILD)/obj/train/trn_pass.o $(BUILD)/obj/train/trn_loss.o: CFLAGS += -O3

# The project's default trained weights (train/trained/, see train/README.md).
# Full quality training, ~10-15 minutes on 2 cores: not part of `make test`.
TRN_DEFAULT_OPTS = --data default --loss sinkhorn --seed 1 --epochs 300 --patience 60 --check-exact
.PHONY: train-default
train-default: deps-ok $(CLI)
	nice $(CLI) train $(TRN_DEFAULT_OPTS) --links 5 --name econt-8x8-5links \
	    --out train/trained/econt_5links
	nice $(CLI) train $(TRN_DEFAULT_OPTS) --links 2 --name econt-8x8-2links \
	    --out train/trained/econt_2links

# Capacity study (train/README.md "What the gap is made of"), a campaign of
# ~2.5 hours on 2 cores.  Shipped for tests/train_shipped.sh: the ECON-T
# network shape with 16-bit formats everywhere (near float) and the ASIC
# encoder unchanged behind a 24x wider float decoder (192 channels, decoder
# weight decay 0.01, ~60 min).
# Printing their tables only: the 16-bit shape with 32 conv filters, the ASIC
# encoder with 4x, 8x and 16x wider decoders, the 32-filter 16-bit encoder
# with the 4x decoder.
CAPACITY_STUDY = econt_wide16_c32 econt_dec32 econt_dec64 econt_dec128 econt_wide16_c32_dec32
# SHARD=i/N (make train-capacity SHARD=1/3): only the runs k (0-based, in
# train/capacity.sh's order) with k % N == i.  Every run writes its own
# folder, so the shards' folders together are the unsharded output.
.PHONY: train-capacity
train-capacity: deps-ok $(CLI)
	RAD4ML=$(CLI) BUILD=$(BUILD) SHARD=$(SHARD) TRN_OPTS="$(TRN_DEFAULT_OPTS)" \
	    train/capacity.sh $(CAPACITY_STUDY)

# Conditioned decoders per link count (issue 25, train/README.md "Conditioned
# decoder"): the ASIC encoder exactly as model/econt.json, the decoder also
# reading log(1 + module sum) of the sent code and n_links.  Each run is
# MODEL:LINKS:EPOCHS[:WEIGHT_DECAY]; outputs in $(BUILD)/cae/.  A run that
# wins its link count (median AND mean below every in-budget algorithm) is
# copied by hand to train/trained/econt_cae_<N>links.* (the built-in default
# at N links) with its bounds in train/README.md.  ~2 h on the shared cores.
CAE_RUNS = cae8:2:300 cae8:3:150 cae64:4:200:0.01
.PHONY: train-cae
train-cae: deps-ok $(CLI)
	mkdir -p $(BUILD)/cae
	for r in $(CAE_RUNS); do \
	    set -- $$(echo $$r | tr : ' '); \
	    nice $(CLI) train --data default --loss sinkhorn --seed 1 --patience 60 --check-exact \
	        --model model/examples/econt_$$1.json --links $$2 --epochs $$3 \
	        --weight-decay $${4:-0} --name econt-8x8-$${1}_$${2}l --out $(BUILD)/cae/$${1}_$${2}l || exit 1; \
	done
