# model/: the model description (JSON) and weights files, validation, the
# I2C weight image, and the built-in ECON-T default (compiled in).
MDL_DEFAULT_C := $(BUILD)/gen/model/mdl_default_data.c

LIB_SRCS += model/mdl_core.c model/mdl_json.c model/mdl_weights.c \
            model/mdl_i2c.c model/mdl_default.c model/mdl_prov.c model/mdl_image.c $(MDL_DEFAULT_C)

# The per-link-count defaults (issue 25): a trained model shipped as
# train/trained/econt_cae_<N>links.{json,weights} becomes the built-in default
# at N links (mdl_load_default_links); none shipped = an empty text.
MDL_LINK_DEFAULTS := $(foreach n,2 3 4 5,$(wildcard train/trained/econt_cae_$(n)links.json \
                       train/trained/econt_cae_$(n)links.weights))

$(MDL_DEFAULT_C): model/econt.json $(wildcard model/econt.weights) $(MDL_LINK_DEFAULTS) model/embed.sh \
                  model/module.mk
	@mkdir -p $(dir $@)
	model/embed.sh $@ mdl__default_json_data=model/econt.json \
	    mdl__default_weights_data=model/econt.weights \
	    $(foreach n,2 3 4 5,mdl__links$(n)_json_data=train/trained/econt_cae_$(n)links.json \
	      mdl__links$(n)_weights_data=train/trained/econt_cae_$(n)links.weights)
CLI_SRCS += model/cmd_info.c model/cmd_image.c

CHECK_TESTS += tests/check_model.c
