# model/: the model description (JSON) and weights files, validation, the
# I2C weight image, and the built-in ECON-T default (compiled in).
MDL_DEFAULT_C := $(BUILD)/gen/model/mdl_default_data.c

LIB_SRCS += model/mdl_core.c model/mdl_json.c model/mdl_weights.c \
            model/mdl_i2c.c model/mdl_default.c model/mdl_prov.c model/mdl_image.c $(MDL_DEFAULT_C)

# The per-link-count defaults (issue 25): train/trained/defaults.txt names
# the trained model that is the built-in default at N links (N = 2..5,
# mdl_load_default_links); each listed model is embedded once.
MDL_LINKS_C := $(BUILD)/gen/model/mdl_links_data.c
LIB_SRCS += $(MDL_LINKS_C)
MDL_LINK_FILES := $(foreach p,$(shell awk '!/^\#/ && NF >= 2 { print $$2 }' train/trained/defaults.txt),\
                    train/trained/$(p).json train/trained/$(p).weights)

$(MDL_LINKS_C): train/trained/defaults.txt $(MDL_LINK_FILES) model/embed_links.sh
	@mkdir -p $(dir $@)
	model/embed_links.sh $@ train/trained/defaults.txt

$(MDL_DEFAULT_C): model/econt.json $(wildcard model/econt.weights) model/embed.sh
	@mkdir -p $(dir $@)
	model/embed.sh $@ mdl__default_json_data=model/econt.json \
	    mdl__default_weights_data=model/econt.weights
CLI_SRCS += model/cmd_info.c model/cmd_image.c

CHECK_TESTS += tests/check_model.c
