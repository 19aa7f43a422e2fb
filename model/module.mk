# model/: the model description (JSON) and weights files, validation, the
# I2C weight image, and the built-in ECON-T default (compiled in).
MDL_DEFAULT_C := $(BUILD)/gen/model/mdl_default_data.c

LIB_SRCS += model/mdl_core.c model/mdl_json.c model/mdl_weights.c \
            model/mdl_i2c.c model/mdl_default.c model/mdl_prov.c model/mdl_image.c $(MDL_DEFAULT_C)

# The per-link-count defaults (issue 25): train/trained/defaults.txt names
# the trained model that is the built-in default at N links (N = 2..5,
# mdl_load_default_links); a link count not listed embeds an empty text.
MDL_LINK_PREFIX = $(shell awk '$$1 == $(1) { print "train/trained/" $$2 }' train/trained/defaults.txt)
MDL_LINK_FILES := $(foreach n,2 3 4 5,$(addsuffix .json,$(call MDL_LINK_PREFIX,$(n))) \
                    $(addsuffix .weights,$(call MDL_LINK_PREFIX,$(n))))

$(MDL_DEFAULT_C): model/econt.json $(wildcard model/econt.weights) $(MDL_LINK_FILES) model/embed.sh \
                  model/module.mk train/trained/defaults.txt
	@mkdir -p $(dir $@)
	model/embed.sh $@ mdl__default_json_data=model/econt.json \
	    mdl__default_weights_data=model/econt.weights \
	    $(foreach n,2 3 4 5,mdl__links$(n)_json_data=$(or $(call MDL_LINK_PREFIX,$(n)),none).json \
	      mdl__links$(n)_weights_data=$(or $(call MDL_LINK_PREFIX,$(n)),none).weights)
CLI_SRCS += model/cmd_info.c model/cmd_image.c

CHECK_TESTS += tests/check_model.c
