"""Train livedigit's digit classifier on MNIST plus not-a-digit marks and hard negatives.

    python scripts/train.py --data ../shared/data/mnist.npz --out models/

The not-a-digit class learns generated marks (letters, symbols, scribbles: livedigit/marks.py)
and hard negatives (scripts/scene_crops.py): what detection finds away from the digits of
random scenes and in real photographs, mined with the model given by --mining-model
(--hard-negatives N). --camera-digits N adds N training digits as the app reads them from a
camera (small, faint, blurred: their grey ink on the mask the threshold makes), --camera-marks N
as many marks filmed the same way to the not-a-digit class. --scene-crops N adds N regions as
the app itself cuts them from random scenes, each labelled with its digit or not-a-digit;
--start-from trains a model further instead of from scratch. With --calibration-crops N its
confidences are then calibrated (temperature scaling) on crops of scenes written with training
digits held apart from training, and judged on scenes of MNIST test digits.

Writes, in --out: digits.keras, digits.tflite, digits-int8.tflite, model_card.json, confusion.png,
curves.png, and with --calibration-crops reliability.png.
Without --data the MNIST set is downloaded by keras.datasets.mnist.load_data().
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import time
from pathlib import Path

import cv2
import numpy as np

from livedigit.classify import NOT_A_DIGIT, NUM_CLASSES, export_litert
from livedigit.detect.threshold import STRONG_INK, close, hysteresis, stroke_cores
from livedigit.marks import TRAINING_MARK_KINDS, as_mask, printed, random_mark
from livedigit.normalize import normalize_grey, normalize_masks
from livedigit.params import DetectionParams

BATCH_SIZE = 128


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="local mnist.npz (default: download with Keras)")
    parser.add_argument("--epochs", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("models"))
    parser.add_argument("--limit", type=int, help="train on the first N MNIST training digits only")
    parser.add_argument("--negatives", type=int, default=12000, help="generated not-a-digit marks")
    parser.add_argument("--hard-negatives", type=int, default=0,
                        help="regions mined from scenes and photos (scripts/scene_crops.py); 0: none")
    parser.add_argument("--mining-model", type=Path, help="the model that mines them (default: the shipped one)")
    parser.add_argument("--camera-digits", type=int, default=0,
                        help="training digits added as detection thresholds them from a camera: small, faint, "
                             "blurred (generate_camera_digits); 0: none")
    parser.add_argument("--camera-marks", type=int, default=0,
                        help="not-a-digit marks added as filmed and thresholded like the camera digits "
                             "(generate_camera_marks); 0: none")
    parser.add_argument("--scene-crops", type=int, default=0,
                        help="regions the app itself reads in random scenes of training digits, each "
                             "labelled with its digit or not-a-digit (labelled_scene_crops); 0: none")
    parser.add_argument("--start-from", type=Path,
                        help="train further from this .keras model (the calibrations the model card beside "
                             "it records undone: temperature, not-a-digit bias shift) instead of from scratch")
    parser.add_argument("--learning-rate", type=float, default=3e-3, help="the peak of the cosine schedule")
    parser.add_argument("--calibration-crops", type=int, default=0,
                        help="crops of scenes to calibrate confidences on, and as many to judge them; 0: none "
                             "(else a twelfth of the training digits is held apart for them)")
    return parser.parse_args(argv)


def load_mnist(path: Path | None):
    import keras

    if path is None:
        return keras.datasets.mnist.load_data(), "keras download"
    with np.load(path) as data:
        arrays = (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])
    return arrays, hashlib.sha256(path.read_bytes()).hexdigest()


def generate_marks(count: int, seed: int) -> np.ndarray:
    """Normalized 28x28 crops of random non-digit marks."""
    rng = np.random.default_rng(seed)
    return normalize_masks([random_mark(rng, TRAINING_MARK_KINDS) for _ in range(count)])


# Digits printed in the typefaces of the printed letters among the marks, one for every
# this many handwritten ones: a printed letter is no digit for its shape, not for being printed.
HANDWRITTEN_PER_PRINTED_DIGIT = 20


def generate_printed_digits(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Normalized 28x28 crops of printed digits, and their labels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(10, size=count)
    return normalize_masks([as_mask(printed(str(label), rng)) for label in labels]), labels


def generate_camera_digits(digits: np.ndarray, labels: np.ndarray, count: int,
                           seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Normalized 28x28 crops of digits filmed and thresholded (`filmed`), and their
    labels; those the threshold lost are left out. Small, faint or blurred, a digit is
    read as its grey ink on a blocky, thinned or broken mask, which MNIST never shows."""
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(digits), count, replace=False)
    crops, inked = filmed(digits[chosen], rng)
    return crops, labels[chosen[inked]]


def generate_camera_marks(count: int, seed: int) -> np.ndarray:
    """Normalized 28x28 crops of not-a-digit marks filmed and thresholded as the camera
    digits are, so that the model does not learn a thresholded shape for a digit."""
    marks = (generate_marks(count, seed) * 255).astype(np.uint8)
    return filmed(marks, np.random.default_rng(seed + 1))[0]


def filmed(images: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The normalized crops of 28x28 ink images filmed (camera_mask: their grey ink on the
    mask the threshold makes of them, as the app reads a region), and the indices of the
    images they are of: those the threshold lost are left out."""
    crops, inked = [], []
    for index, image in enumerate(images):
        mask, gray = camera_mask(image, rng)
        if mask is not None:
            x, y, w, h = cv2.boundingRect(mask)
            crops.append(normalize_grey(gray, [(x, y, w, h)], [mask[y:y + h, x:x + w]]))
            inked.append(index)
    return np.concatenate(crops) if crops else np.zeros((0, 28, 28), np.float32), np.array(inked, int)


def camera_mask(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray | None, np.ndarray]:
    """An MNIST digit (28x28 uint8), or a mark normalized as one, drawn 12-48 px tall on
    paper, faint to bold, blurred and noisy: the mask `binarize` makes of it (ink much
    darker than the paper somewhere, cut to its strokes' cores, closed), and the grey
    image. Only the ink on the digit's strokes is kept; no mask where under half of the
    digit's height is."""
    height = np.exp(rng.uniform(np.log(12), np.log(48)))
    size = max(8, round(height * 28 / 20))
    alpha = np.pad(cv2.resize(digit.astype(np.float32) / 255, (size, size), interpolation=cv2.INTER_AREA), 8)
    paper = rng.uniform(120, 240)
    page = paper - rng.uniform(0.3, 0.9) * paper * alpha
    page = cv2.GaussianBlur(page, (0, 0), rng.uniform(0.3, 2.0)) + rng.normal(0, rng.uniform(1, 6), page.shape)
    params = DetectionParams()
    filmed_gray = np.clip(page, 0, 255).astype(np.uint8)
    gray = cv2.GaussianBlur(filmed_gray, (params.blur, params.blur), 0)
    darkness = cv2.subtract(np.full_like(gray, round(paper)), gray)
    ink = hysteresis(darkness, params.c, round(STRONG_INK * params.c)) & stroke_cores(darkness)
    strokes = cv2.dilate((alpha > 0.2).astype(np.uint8) * 255, np.ones((3, 3), np.uint8))
    mask = close(ink & strokes, params.morph_kernel)
    return (mask if cv2.boundingRect(mask)[3] >= height / 2 else None), filmed_gray


def build_model():
    import keras
    from keras import layers

    def conv_block(x, filters, kernel=3):
        x = layers.Conv2D(filters, kernel, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        return layers.ReLU()(x)

    inputs = keras.Input((28, 28, 1), name="crops")
    x = conv_block(inputs, 32, 5)
    x = layers.MaxPooling2D()(x)
    x = conv_block(x, 48)
    x = conv_block(x, 64)
    x = layers.MaxPooling2D()(x)
    x = conv_block(x, 96)
    x = conv_block(x, 128)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="livedigit_cnn")


def augment(images, seed):
    """Camera-like variations of normalized crops, drawn with stateless random ops."""
    import tensorflow as tf

    n = tf.shape(images)[0]
    seeds = tf.random.experimental.stateless_split(seed, 8)

    def uniform(i, shape, lo, hi):
        return tf.random.stateless_uniform(shape, seeds[i], lo, hi)

    # Small rotation, scale, shear and shift about the crop centre.
    angle = uniform(0, [n], -0.26, 0.26)
    scale = uniform(1, [n], 0.85, 1.12)
    shear = uniform(2, [n], -0.25, 0.25)
    shift = uniform(3, [n, 2], -1.5, 1.5)
    cos, sin = tf.cos(angle) / scale, tf.sin(angle) / scale
    a0, a1 = cos, -sin + shear
    b0, b1 = sin, cos
    centre = 13.5
    tx = centre - a0 * centre - a1 * centre + shift[:, 0]
    ty = centre - b0 * centre - b1 * centre + shift[:, 1]
    zeros = tf.zeros_like(a0)
    transforms = tf.stack([a0, a1, tx, b0, b1, ty, zeros, zeros], axis=1)
    images = tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=[28, 28],
        fill_value=0.0, interpolation="BILINEAR", fill_mode="CONSTANT")

    # Stroke thickness: from a thin pen (soft erosion) to a marker (dilation).
    thickness = uniform(4, [n, 1, 1, 1], -1.0, 1.0)
    dilated = tf.nn.max_pool2d(images, 3, 1, "SAME")
    eroded = -tf.nn.max_pool2d(-images, 2, 1, "SAME")
    images = tf.where(thickness > 0.4, dilated, tf.where(thickness < -0.6, 0.5 * (images + eroded), images))

    # Broken strokes: knock out small blobs of ink.
    blobs = tf.image.resize(uniform(5, [n, 7, 7, 1], 0.0, 1.0), [28, 28])
    breaks = uniform(6, [n, 1, 1, 1], 0.0, 1.0) < 0.2
    images = tf.where(breaks & (blobs < 0.15), 0.0, images)

    # Blur and sensor noise.
    blur = tf.constant([[1, 2, 1], [2, 4, 2], [1, 2, 1]], tf.float32)[:, :, None, None] / 16.0
    blurred = tf.nn.conv2d(images, blur, 1, "SAME")
    mix = tf.nn.relu(uniform(7, [n, 1, 1, 1], -1.0, 1.0))
    images = images + mix * (blurred - images)
    noise = tf.random.stateless_normal(tf.shape(images), seeds[0] + 1) * mix * 0.08
    return tf.clip_by_value(images + noise, 0.0, 1.0)


def training_dataset(x, y, seed: int):
    import tensorflow as tf

    data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    data = data.batch(BATCH_SIZE)
    seeds = tf.data.Dataset.random(seed=seed).batch(2)
    return (tf.data.Dataset.zip(data, seeds)
            .map(lambda batch, s: (augment(batch[0], s), batch[1]), num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE))


def train(args: argparse.Namespace) -> None:
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()
    (x_train, y_train), (x_test, y_test), data_sha256 = unpack(load_mnist(args.data))
    if args.limit:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
    trained = len(x_train) - (len(x_train) // HELD_APART if args.calibration_crops else 0)
    (x_train, x_apart), (y_train, y_apart) = np.split(x_train, [trained]), np.split(y_train, [trained])
    marks = generate_marks(args.negatives, args.seed)
    if args.hard_negatives:
        from scene_crops import mine_hard_negatives  # scripts/ is on the path of a script run from it

        marks = np.concatenate([marks, mine_hard_negatives(args.hard_negatives, args.seed, x_train, y_train,
                                                           args.mining_model)])
    held_out_marks = generate_marks(2000, args.seed + 1000)
    printed_digits, printed_labels = generate_printed_digits(len(x_train) // HANDWRITTEN_PER_PRINTED_DIGIT,
                                                              args.seed + 2000)
    camera_digits, camera_labels = generate_camera_digits(x_train, y_train, args.camera_digits, args.seed + 3000)
    scene_regions, scene_labels = scene_region_crops(args.scene_crops, x_train, y_train)
    marks = np.concatenate([marks, generate_camera_marks(args.camera_marks, args.seed + 4000)])
    x = np.concatenate([x_train.astype(np.float32) / 255.0, printed_digits, camera_digits, scene_regions,
                        marks])[..., None]
    y = np.concatenate([y_train, printed_labels, camera_labels, scene_labels,
                        np.full(len(marks), NOT_A_DIGIT)]).astype(np.int32)

    model = starting_model(args.start_from)
    steps = args.epochs * int(np.ceil(len(x) / BATCH_SIZE))
    schedule = keras.optimizers.schedules.CosineDecay(0.0, steps, warmup_target=args.learning_rate,
                                                      warmup_steps=steps // 20)
    model.compile(optimizer=keras.optimizers.AdamW(schedule, weight_decay=1e-4),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x_val = x_test.astype(np.float32)[..., None] / 255.0
    started = time.time()
    history = model.fit(training_dataset(x, y, args.seed), epochs=args.epochs,
                        validation_data=(x_val, y_test.astype(np.int32)), verbose=2)
    train_seconds = time.time() - started

    bias_shift = calibrate_rejection(model, x_train.astype(np.float32) / 255.0)
    args.out.mkdir(parents=True, exist_ok=True)
    confidence_card = calibrate_confidence(model, args, (x_apart, y_apart), (x_test, y_test))
    save_without_optimizer(model, args.out / "digits.keras")
    export_litert(model, args.out / "digits.tflite")
    export_litert(model, args.out / "digits-int8.tflite", int8_weights=True)
    card = model_card(model, args, x_val, y_test, held_out_marks, history.history, data_sha256, train_seconds)
    card["not_a_digit_bias_shift"] = bias_shift
    card.update(confidence_card)
    (args.out / "model_card.json").write_text(json.dumps(card, indent=2) + "\n")
    plot_confusion(np.array(card["confusion_matrix"]), args.out / "confusion.png")
    plot_curves(history.history, args.out / "curves.png")
    print(f"test accuracy {card['mnist_test_accuracy']:.4f}, "
          f"not-a-digit false positives {card['not_a_digit_false_positive_rate']:.4f}, wrote {args.out}")


# The scenes whose regions are trained on (--scene-crops) are drawn from this seed on: apart
# from those hard negatives are mined from (scene_crops.FIRST_TRAINING_SEED on) and those
# that calibrate and judge the confidences (FIRST_CALIBRATION_SEED, FIRST_JUDGING_SEED).
FIRST_SCENE_CROP_SEED = 1_500_000


def scene_region_crops(count: int, digits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """At least `count` crops of the regions the app reads in random scenes of these digits,
    and their labels (a digit, or not-a-digit): small, blurred, broken, cut by ruled lines,
    as only the app's own detection cuts them."""
    if not count:
        return np.zeros((0, 28, 28), np.float32), np.zeros(0, np.int32)
    from scene_crops import labelled_scene_crops  # scripts/ is on the path of a script run from it

    return labelled_scene_crops(count, FIRST_SCENE_CROP_SEED, digits, labels)


def starting_model(path: Path | None):
    """A new model, or the one at `path` with the calibrations its model card records
    undone (temperature, then the not-a-digit bias shift), to be trained further."""
    if path is None:
        return build_model()
    import keras

    model = keras.models.load_model(path)
    card_path = path.parent / "model_card.json"
    card = json.loads(card_path.read_text()) if card_path.exists() else {}
    kernel, bias = model.layers[-1].get_weights()
    temperature = card.get("temperature", 1.0)
    kernel, bias = kernel * temperature, bias * temperature
    bias[NOT_A_DIGIT] += card.get("not_a_digit_bias_shift", 0.0)
    model.layers[-1].set_weights([kernel, bias])
    return model


# At most this fraction of (clean) training digits may be rejected as not-a-digit.
MAX_DIGITS_REJECTED = 0.0003


def calibrate_rejection(model, digits: np.ndarray) -> float:
    """Lower the not-a-digit logit until almost no training digit is rejected; returns the shift.

    A digit the model calls "not a digit" is lost; a mark called a digit usually fails the
    confidence threshold anyway. Moving the bias of the last layer is the same as dividing
    the not-a-digit probability by e^shift before renormalizing.
    """
    probabilities = model.predict(digits[..., None], batch_size=1000, verbose=0)
    shift = 0.0
    while True:
        scaled = probabilities.copy()
        scaled[:, NOT_A_DIGIT] *= np.exp(-shift)
        if (scaled.argmax(axis=1) == NOT_A_DIGIT).mean() <= MAX_DIGITS_REJECTED or shift >= 5:
            break
        shift += 0.25
    kernel, bias = model.layers[-1].get_weights()
    bias[NOT_A_DIGIT] -= shift
    model.layers[-1].set_weights([kernel, bias])
    return shift


# The last twelfth of the training digits is held apart from training: the scenes that
# calibrate the model's confidences are written with them.
HELD_APART = 12
# Scenes of held-apart digits calibrate, scenes of test digits judge, from these seeds on.
FIRST_CALIBRATION_SEED, FIRST_JUDGING_SEED = 2_000_000, 3_000_000


def calibrate_confidence(model, args: argparse.Namespace, apart: tuple, test: tuple) -> dict:
    """Temperature scaling: the model's logits divided by the temperature that fits crops of
    scenes written with held-apart digits best; the expected calibration error before and
    after, on crops of other scenes written with test digits, for the model card."""
    if not args.calibration_crops:
        return {}
    from scene_crops import labelled_scene_crops

    fitting = labelled_scene_crops(args.calibration_crops, FIRST_CALIBRATION_SEED, *apart)
    judging = labelled_scene_crops(args.calibration_crops, FIRST_JUDGING_SEED, *test)
    before = model.predict(judging[0][..., None], batch_size=1000, verbose=0)
    temperature = fit_temperature(model.predict(fitting[0][..., None], batch_size=1000, verbose=0), fitting[1])
    kernel, bias = model.layers[-1].get_weights()
    model.layers[-1].set_weights([kernel / temperature, bias / temperature])
    after = model.predict(judging[0][..., None], batch_size=1000, verbose=0)
    plot_reliability(before, after, judging[1], args.out / "reliability.png")
    return {"temperature": round(temperature, 3),
            "expected_calibration_error": {"before": round(calibration_error(before, judging[1]), 4),
                                           "after": round(calibration_error(after, judging[1]), 4)},
            "calibration_eval": f"{len(judging[1])} crops detection cut from random scenes of MNIST test digits "
                                f"(seeds {FIRST_JUDGING_SEED} on); fitted on {len(fitting[1])} crops of scenes of "
                                f"held-apart training digits; among crops read as a digit, confidence against "
                                f"the share read right, in 10 bins"}


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The divisor of the logits with the least negative log-likelihood of the labels."""
    log_probabilities = np.log(np.clip(probabilities, 1e-12, None))  # the logits, less a constant per row
    temperatures = np.exp(np.linspace(np.log(0.25), np.log(4.0), 121))
    losses = [-log_softmax(log_probabilities / t)[np.arange(len(labels)), labels].mean() for t in temperatures]
    return float(temperatures[int(np.argmin(losses))])


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def reliability(probabilities: np.ndarray, labels: np.ndarray, bins: int = 10):
    """Among crops read as a digit: per confidence bin, the mean confidence, the share read
    right and the number of crops."""
    read = probabilities.argmax(axis=1)
    as_digit = read != NOT_A_DIGIT
    confidence, right = probabilities.max(axis=1)[as_digit], (read == labels)[as_digit]
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    counts = np.bincount(which, minlength=bins)
    mean = lambda values: np.bincount(which, values, bins) / np.maximum(counts, 1)  # noqa: E731
    return mean(confidence), mean(right.astype(float)), counts


def calibration_error(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Expected calibration error: the gap between confidence and the share read right,
    weighted by how many crops each bin holds."""
    confidence, accuracy, counts = reliability(probabilities, labels)
    return float(np.sum(counts * np.abs(confidence - accuracy)) / max(counts.sum(), 1))


def save_without_optimizer(model, path: Path) -> None:
    """Save weights and architecture only: the optimizer state would triple the file."""
    inference_model = build_model()
    inference_model.set_weights(model.get_weights())
    inference_model.save(path)


def unpack(loaded):
    (train_set, test_set), data_sha256 = loaded
    return train_set, test_set, data_sha256


def inference_ms_per_64(model) -> float:
    import tensorflow as tf

    call = tf.function(lambda x: model(x, training=False))
    batch = tf.zeros((64, 28, 28, 1))
    call(batch)
    runs = 50
    started = time.perf_counter()
    for _ in range(runs):
        call(batch).numpy()
    return (time.perf_counter() - started) * 1000 / runs


def model_card(model, args, x_val, y_test, held_out_marks, history, data_sha256, train_seconds) -> dict:
    confidence = DetectionParams().confidence
    probs = model.predict(x_val, batch_size=512, verbose=0)
    predicted = probs[:, :10].argmax(axis=1)
    rejected = probs.argmax(axis=1) == NOT_A_DIGIT
    confusion = np.zeros((10, 10), int)
    np.add.at(confusion, (y_test, predicted), 1)
    mark_probs = model.predict(held_out_marks[..., None], batch_size=512, verbose=0)
    false_digits = (mark_probs.argmax(axis=1) < 10) & (mark_probs.max(axis=1) >= confidence)
    return {
        "model": "digits.keras",
        "input": "float32 (N, 28, 28, 1), white ink on black, 0..1 (MNIST / 255): a region's grey ink on its "
                 "mask (livedigit.normalize.normalize_grey)",
        "output": "probabilities (N, 11): digits 0-9, then not-a-digit",
        "mnist_test_accuracy": float((predicted == y_test).mean()),
        "mnist_test_accuracy_counting_rejections_as_errors": float(((predicted == y_test) & ~rejected).mean()),
        "per_class_accuracy": {str(d): float(confusion[d, d] / confusion[d].sum()) for d in range(10)},
        "confusion_matrix": confusion.tolist(),
        "not_a_digit_false_positive_rate": float(false_digits.mean()),
        "not_a_digit_eval": f"{len(held_out_marks)} generated marks (seed {args.seed + 1000}), "
                            f"digit reported when a digit class wins with confidence >= {confidence}",
        "inference_ms_per_batch_of_64": round(inference_ms_per_64(model), 2),
        "parameters": int(model.count_params()),
        "training_arguments": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "training_seconds": round(train_seconds),
        "data_sha256": data_sha256,
        "history": {k: [round(float(v), 5) for v in values] for k, values in history.items()},
        "date": datetime.date.today().isoformat(),
    }


def plot_confusion(confusion: np.ndarray, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 5.5))
    ax.imshow(np.log1p(confusion), cmap="Blues")
    for (true, pred), count in np.ndenumerate(confusion):
        ax.text(pred, true, str(count), ha="center", va="center", fontsize=7,
                color="white" if true == pred else "black")
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true",
           title="MNIST test confusion matrix")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_reliability(before: np.ndarray, after: np.ndarray, labels: np.ndarray, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="honest")
    for name, probabilities in (("before", before), ("after temperature scaling", after)):
        confidence, accuracy, counts = reliability(probabilities, labels)
        used = counts > 0
        ece = calibration_error(probabilities, labels)
        ax.plot(confidence[used], accuracy[used], marker="o", label=f"{name} (ECE {ece:.3f})")
    ax.set(xlabel="confidence", ylabel="share read right", xlim=(0, 1), ylim=(0, 1),
           title="Crops of random scenes read as digits")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_curves(history: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(9, 3.5))
    for key, ax in (("loss", loss_ax), ("accuracy", acc_ax)):
        ax.plot(epochs, history[key], label="train (augmented)")
        ax.plot(epochs, history[f"val_{key}"], label="MNIST test")
        ax.set(xlabel="epoch", title=key)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    train(parse_args())
