"""Builds the six QKeras test models, trains each a few steps, saves them as
Keras HDF5 and writes reference outputs of model.predict.

usage: python make_models.py OUTDIR N_VECTORS [MODEL ...]

For every model NAME it writes OUTDIR/NAME.h5 (architecture in model_config;
mlp also as mlp_weights.h5 + mlp_arch.json, the save_weights layout),
OUTDIR/NAME.io (rad4ml-io: input raws and float32 outputs, see
import/README.md) and OUTDIR/NAME.args (extra `rad4ml import` options).
Inputs are raw integers of the model's input quantizer fed as raw * step
(float32-exact), uniform over the whole range, plus the extremes (all
minimum, all maximum, zero, alternating, single-element extremes).
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from qkeras import QActivation, QConv2D, QDense  # noqa: E402
from tensorflow.keras import layers as KL  # noqa: E402

QB, QR = "quantized_bits", "quantized_relu"


def qb(bits, integer, **kw):
    extra = "".join(",%s=%s" % (k, v) for k, v in kw.items())
    return "quantized_bits(%d,%d%s)" % (bits, integer, extra)


def qw(bits, integer, **kw):
    """A weight quantizer: QKeras turns alpha=None into 'auto_po2' (per-channel
    scales, refused by rad4ml) for kernels and biases, so say alpha=1."""
    return qb(bits, integer, alpha=1, **kw)


def qr(bits, integer):
    return "quantized_relu(%d,%d)" % (bits, integer)


def econt():
    i = KL.Input((8, 8, 1), name="input_1")
    x = QActivation(qb(8, 1, keep_negative=False, alpha=1), name="input_q")(i)
    x = QConv2D(8, 3, strides=2, padding="same", name="conv2d",
                kernel_quantizer=qw(6, 0), bias_quantizer=qw(6, 0))(x)
    x = QActivation(qr(8, 1), name="act")(x)
    x = KL.Flatten(name="flatten")(x)
    x = QDense(16, name="encoded_dense", kernel_quantizer=qw(6, 0),
               bias_quantizer=qw(6, 0))(x)
    x = QActivation(qr(9, 1), name="encod_act")(x)
    return tf.keras.Model(i, x, name="econt_qkeras"), {"in": (8, 1, 0)}


class SamePad(KL.Layer):
    """A user padding class, as published ECON-T models have one: pads
    bottom / right by one (TensorFlow 'same' for a 3x3 stride-2 conv on 8x8)."""

    def call(self, x):
        return tf.pad(x, [[0, 0], [0, 1], [0, 1], [0, 0]])


def econt_full():
    """The ECON-T encoder as published models write it: a user padding layer
    before a 'valid' conv, the latent truncation to 5 bits as TFOpLambda
    layers (x * 16, floor, / 16, minimum), and a conditioning input
    concatenated after it.  Imported with --pad and --stop-at."""
    i = KL.Input((8, 8, 1), name="input_1")
    cond = KL.Input((1,), name="cond")
    x = QActivation(qb(8, 1, keep_negative=False, alpha=1), name="input_q")(i)
    x = SamePad(name="pad")(x)
    x = QConv2D(8, 3, strides=2, padding="valid", name="conv2d",
                kernel_quantizer=qw(6, 0), bias_quantizer=qw(6, 0))(x)
    x = QActivation(qr(8, 1), name="act")(x)
    x = KL.Flatten(name="flatten")(x)
    x = QDense(16, name="encoded_dense", kernel_quantizer=qw(6, 0), bias_quantizer=qw(6, 0))(x)
    x = QActivation(qr(9, 1), name="encod_act")(x)
    x = tf.math.floor(x * 16.0) / 16.0
    x = tf.minimum(x, 1.9375)
    x = KL.Concatenate(name="with_cond")([x, cond])
    return tf.keras.Model([i, cond], x, name="econt_full"), {
        "in": (8, 1, 0), "stop": "tf.math.minimum", "train": "encod_act",
        "args": ["--pad", "pad=same", "--stop-at", "tf.math.minimum"]}


def mlp():
    m = tf.keras.Sequential(name="mlp_qrelu")
    m.add(KL.InputLayer((16,), name="in"))
    m.add(QActivation(qb(8, 2), name="in_q"))
    m.add(QDense(32, name="d1", kernel_quantizer=qw(8, 1), bias_quantizer=qw(8, 3)))
    m.add(QActivation(qr(6, 2), name="a1"))
    m.add(KL.Dropout(0.1, name="drop"))
    m.add(QDense(10, name="d2", kernel_quantizer=qw(6, 0), bias_quantizer=qw(6, 0),
                 activation=qr(8, 3)))
    m.add(QDense(4, name="d3", kernel_quantizer=qw(4, 0), bias_quantizer=qw(4, 0)))
    return m, {"in": (8, 2, 1)}


def bn():
    i = KL.Input((6, 6, 2), name="x")
    x = QActivation(qb(6, 1), name="x_q")(i)
    x = QConv2D(4, 3, name="c1", kernel_quantizer=qw(6, 0), bias_quantizer=qw(6, 0))(x)
    x = KL.BatchNormalization(name="bn1")(x)
    x = KL.Activation("relu", name="relu1")(x)
    x = QActivation(qb(8, 2, keep_negative=False), name="q1")(x)
    x = KL.Flatten(name="f")(x)
    x = QDense(3, name="d", kernel_quantizer=qw(6, 0), bias_quantizer=qw(6, 0))(x)
    x = QActivation(qb(10, 3), name="out_q")(x)
    return tf.keras.Model(i, x, name="with_bn"), {"in": (6, 1, 1),
                                                  "args": ["--bn-format", "fixed<16,6,RND_CONV,SAT>"]}


def zeropad():
    i = KL.Input((5, 5, 1), name="img")
    x = QActivation(qb(8, 0), name="img_q")(i)
    x = KL.ZeroPadding2D(((1, 0), (2, 1)), name="zp1")(x)
    x = QConv2D(3, 3, name="c", kernel_quantizer=qw(4, 0), bias_quantizer=qw(4, 0))(x)
    x = QActivation(qr(6, 1), name="a")(x)
    x = KL.ZeroPadding2D(1, name="zp2")(x)
    x = KL.Flatten(name="f")(x)
    x = QDense(5, name="d", kernel_quantizer=qw(5, 1), bias_quantizer=qw(5, 1))(x)
    x = QActivation(qb(8, 3, symmetric=1), name="o")(x)
    return tf.keras.Model(i, x, name="zeropad"), {"in": (8, 0, 1)}


def unsigned_in():
    i = KL.Input((12,), name="u")
    x = QActivation(qr(7, 2), name="u_q")(i)
    x = QDense(8, name="d1", kernel_quantizer=qw(7, 1), bias_quantizer=qw(7, 1))(x)
    x = KL.Activation("relu", name="r")(x)
    x = QActivation(qb(9, 2, keep_negative=False), name="q")(x)
    x = QDense(2, name="d2", kernel_quantizer=qw(6, 0), bias_quantizer=qw(6, 0))(x)
    x = QActivation(qb(12, 4), name="o")(x)
    return tf.keras.Model(i, x, name="unsigned_in"), {"in": (7, 2, 0)}


def odd():
    i = KL.Input((4, 4, 2), name="i")
    x = QActivation(qb(3, 1), name="i_q")(i)
    x = QConv2D(5, 2, strides=2, name="c", kernel_quantizer=qw(3, 0), bias_quantizer=qw(3, 1))(x)
    x = QActivation(qb(11, 3), name="a")(x)
    x = KL.Reshape((20,), name="r")(x)
    x = QDense(3, name="d", kernel_quantizer=qw(5, 1), bias_quantizer=qw(11, 3))(x)
    x = QActivation(qr(3, 1), name="o")(x)
    return tf.keras.Model(i, x, name="odd_3_11"), {"in": (3, 1, 1)}


MODELS = {"econt": econt, "econt_full": econt_full, "mlp": mlp, "bn": bn, "zeropad": zeropad, "unsigned": unsigned_in,
          "odd": odd}


def snap_bn(model, rng):
    """Trained BN parameters snapped so that QKeras' float32 BN is exact:
    moving_variance + epsilon == 1.0 in float32 (TF's rsqrt(1) is exact),
    gamma a 2-fraction-bit scale, mean and beta multiples of 1/16.  Checked
    on the layer itself: scale and offset as intended, or the script fails."""
    for layer in model.layers:
        if not isinstance(layer, KL.BatchNormalization):
            continue
        gamma, beta, mean, var = [w.copy() for w in layer.get_weights()]
        n = gamma.shape[0]
        eps = np.float32(layer.epsilon)
        gamma = rng.choice([0.5, 0.75, 1.25, 1.5], n).astype(np.float32)
        mean = (np.round(mean * 16) / 16).astype(np.float32)
        beta = (np.round(beta * 16) / 16).astype(np.float32)
        var = np.full(n, np.float32(1) - eps, np.float32)
        assert np.all(var + eps == np.float32(1))
        layer.set_weights([gamma, beta, mean, var])
        shape = (1,) + tuple(layer.input_shape[1:-1]) + (n,)
        y0 = layer(np.zeros(shape, np.float32), training=False).numpy().reshape(-1, n)[0]
        y1 = layer(np.ones(shape, np.float32), training=False).numpy().reshape(-1, n)[0]
        assert np.array_equal(y1 - y0, gamma) and np.array_equal(y0, beta - mean * gamma)


def inputs(spec, shape, n, rng):
    bits, integer, signed = spec
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    size = int(np.prod(shape))
    fixed = [np.full(size, lo), np.full(size, hi), np.zeros(size, np.int64),
             np.where(np.arange(size) % 2, lo, hi), np.where(np.arange(size) % 2, hi, lo)]
    for k in range(min(size, 8)):
        for v in (lo, hi):
            e = np.zeros(size, np.int64)
            e[k] = v
            fixed.append(e)
    raw = rng.integers(lo, hi + 1, size=(n, size))
    raw[: len(fixed)] = np.array(fixed)[:n]
    # half of the random ones from the ends of the range only
    ends = rng.integers(0, 2, size=(n // 2, size))
    raw[len(fixed): len(fixed) + n // 2] = np.where(ends, hi, lo)[: max(0, n - len(fixed))]
    step = np.float32(2.0 ** (integer - (bits - (1 if signed else 0))))
    x = (raw.astype(np.float32) * step).reshape((n,) + shape)
    return raw, x


def build(name, out, n):
    rng = np.random.default_rng(abs(hash(name)) % (1 << 32) if False else sum(map(ord, name)))
    tf.keras.utils.set_random_seed(sum(map(ord, name)))
    model, spec = MODELS[name]()
    two = isinstance(model.input_shape, list)          # + a conditioning input
    shape = tuple((model.input_shape[0] if two else model.input_shape)[1:])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="mse")
    xt = rng.uniform(0, 1.5, (256,) + shape).astype(np.float32)
    ct = rng.uniform(0, 1, (256, 1)).astype(np.float32)
    tm = model      # floor has no gradient: train up to the layer before it
    if "train" in spec:
        tm = tf.keras.Model(model.inputs, model.get_layer(spec["train"]).output)
        tm.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="mse")
    yt = rng.uniform(0, 1, (256,) + tuple(tm.output_shape[1:])).astype(np.float32)
    tm.fit([xt, ct] if two else xt, yt, epochs=3, batch_size=32, verbose=0)
    snap_bn(model, rng)
    model.save(os.path.join(out, name + ".h5"), include_optimizer=False)
    if name == "mlp":
        model.save_weights(os.path.join(out, name + "_weights.h5"))
        with open(os.path.join(out, name + "_arch.json"), "w") as f:
            f.write(model.to_json())
    raw, x = inputs(spec["in"], shape, n, rng)
    ref = model
    if "stop" in spec:      # the reference is the output of the --stop-at layer
        ref = tf.keras.Model(model.inputs, model.get_layer(spec["stop"]).output)
    feed = [x, rng.uniform(0, 1, (n, 1)).astype(np.float32)] if two else x
    y = ref.predict(feed, batch_size=1024, verbose=0).reshape(n, -1).astype(np.float32)
    with open(os.path.join(out, name + ".io"), "w") as f:
        f.write("rad4ml-io 1 %d %d %d\n" % (n, raw.shape[1], y.shape[1]))
        for r, o in zip(raw, y):
            f.write(" ".join(map(str, r)) + "  " + " ".join("%.9g" % v for v in o) + "\n")
    with open(os.path.join(out, name + ".args"), "w") as f:
        f.write(" ".join(spec.get("args", [])) + "\n")
    print("%-9s %-14s input %s, %d params, %d vectors" %
          (name, model.name, shape, model.count_params(), n))


def bad_fixtures(out):
    """Broken inputs for the importer's error tests, derived from unsigned.h5:
    a file whose d1 bias dataset is deleted, and architectures (used with
    --json against unsigned.h5's weights) with a wrong shape, an unknown
    layer class, an 'auto_po2' kernel quantizer and stochastic rounding; and
    econt_full's with a latent minimum below the cut format's maximum."""
    import shutil
    import h5py
    src = os.path.join(out, "unsigned.h5")
    shutil.copy(src, os.path.join(out, "bad_missing_bias.h5"))
    with h5py.File(os.path.join(out, "bad_missing_bias.h5"), "r+") as f:
        del f["model_weights/d1/d1/bias:0"]
    with h5py.File(src, "r") as f:
        arch = json.loads(f.attrs["model_config"])

    def variant(name, edit):
        a = json.loads(json.dumps(arch))
        edit({l["config"]["name"]: l for l in a["config"]["layers"]}, a)
        with open(os.path.join(out, name), "w") as f:
            json.dump(a, f)

    variant("bad_shape_arch.json", lambda L, a: L["d1"]["config"].update(units=7))

    def lam(L, a):
        L["r"]["class_name"] = "TFOpLambda"
        L["r"]["config"]["function"] = "math.multiply"
    variant("bad_class_arch.json", lam)
    variant("bad_alpha_arch.json", lambda L, a: L["d1"]["config"]["kernel_quantizer"]
            ["config"].update(alpha="auto_po2"))
    variant("bad_stochastic_arch.json", lambda L, a: L["q"]["config"].update(
        activation="quantized_bits(9,2,0,keep_negative=False,use_stochastic_rounding=True)"))
    with h5py.File(os.path.join(out, "econt_full.h5"), "r") as f:
        arch = json.loads(f.attrs["model_config"])
    # minimum(x, 1.5) saturates below the 5-bit format's maximum: no format cut
    variant("bad_minimum_arch.json", lambda L, a: L["tf.math.minimum"]["inbound_nodes"][0][3]
            .update(y=1.5))
    print("bad fixtures written")


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    names = [a for a in sys.argv[3:] if a != "--bad"]
    for name in names or MODELS:
        build(name, out, n)
    if "--bad" in sys.argv:
        bad_fixtures(out)


if __name__ == "__main__":
    main()
