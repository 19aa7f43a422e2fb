# import/: bring your own model — frontends that turn other tools' network
# files into rad4ml models (prefix imp_): Keras / QKeras HDF5 (imp_keras.c)
# with libhdf5; `rad4ml import`.
HDF5_CFLAGS := $(shell pkg-config --cflags hdf5 2>/dev/null || echo -I/usr/include/hdf5/serial)
HDF5_LIBS   := $(shell pkg-config --libs hdf5 2>/dev/null || echo -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5)

LIB_SRCS += import/imp_h5.c import/imp_quant.c import/imp_keras.c import/imp_verify.c
CLI_SRCS += import/cmd_import.c
LDLIBS   += $(HDF5_LIBS)
SCRIPT_TESTS += $(sort $(wildcard tests/import_*.sh))

$(BUILD)/obj/import/%.o: CFLAGS += $(HDF5_CFLAGS)

# The proof against QKeras itself (needs PyPI: tensorflow-cpu + qkeras in a
# venv under build/; minutes): see import/README.md.
QK_VENV := $(BUILD)/qkeras-venv
$(QK_VENV)/ok:
	python3 -m venv $(QK_VENV)
	$(QK_VENV)/bin/pip install -q tensorflow-cpu==2.14.1 qkeras==0.9.0 pyparsing h5py
	touch $@

.PHONY: test-qkeras
test-qkeras: deps-ok $(CLI) $(QK_VENV)/ok
	PY=$(abspath $(QK_VENV))/bin/python tests/qkeras/run.sh
