"""Batched digit classification: one call per frame, whatever the number of crops.

The shipped model lives in models/: digits.keras (the reference), digits.tflite (the same
network exported for LiteRT) and digits-int8.tflite (that export with 8-bit weights). The
app runs the LiteRT export that is faster on the processor at hand (shipped_model_path).
All take float32 crops (N, 28, 28, 1) in 0..1, white ink on black, and return
probabilities whose first ten entries are the digits 0-9 and whose eleventh is "not a digit".
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .errors import InputError
from .shipped import shipped_file

NUM_CLASSES = 11
NOT_A_DIGIT = 10
# A frame's crops run through the model in chunks, each padded up to one of a backend's
# batch sizes so that it never re-plans per frame. Padding costs as much as a crop.
# LiteRT: a crop costs the same in batches of 8 as of 128 (0.10 ms with 8-bit weights,
# 0.35 in float, on an AMD EPYC), but each interpreter (one per size) holds working
# memory for its batch, 0.125 MB a crop: 76 MB for sizes up to 128, 9 MB up to 16.
LITERT_BATCH_SIZES = tuple(range(2, 17, 2))
# tf.function: each call costs 0.7 ms more (128 crops in one call 23 ms, in 16s 31 ms).
KERAS_BATCH_SIZES = tuple(range(2, 33, 2)) + (48, 64, 96, 128)


def shipped_model_path() -> Path:
    """The model shipped with livedigit, as this machine runs it fastest: where LiteRT is
    installed, the export with 8-bit weights on a processor with 8-bit dot products and
    the float export on one without; elsewhere digits.keras."""
    try:
        import ai_edge_litert.interpreter  # noqa: F401
    except ImportError:
        return shipped_file("models", "digits.keras")
    return shipped_file("models", "digits-int8.tflite" if has_8bit_dot_products() else "digits.tflite")


# The processor features (as /proc/cpuinfo names them) that make LiteRT's 8-bit kernels
# pay: x86's VNNI and Arm's dot product. A crop takes 0.055 ms with 8-bit weights and 0.33
# in float on an Intel Xeon with VNNI; 0.47 and 0.40 on an AMD EPYC with AVX2 alone.
DOT_PRODUCT_FEATURES = frozenset({"avx512_vnni", "avx_vnni", "asimddp"})


def running_on(model: str | Path | None = None) -> str:
    """The processor's name as /proc/cpuinfo gives it, and the model the app runs on it
    (`model`, or the shipped export this processor runs): the model's cost, and by a little
    its readings (the 8-bit export against the float one), differ between processors."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            name = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    except OSError:
        name = ""
    runs = (Path(model).name if model else
            f"{shipped_model_path().name} ({'with' if has_8bit_dot_products() else 'without'} 8-bit dot products)")
    return f"{name or 'an unnamed processor'}, {os.cpu_count()} cores: the app runs {runs}"


def has_8bit_dot_products(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether the processor has vector dot products of 8-bit integers; True where it
    cannot be told (no /proc/cpuinfo: macOS, Windows), as on Apple's and most recent processors."""
    try:
        features = set(cpuinfo.read_text().split())
    except OSError:
        return True
    return not features.isdisjoint(DOT_PRODUCT_FEATURES)


def bucket_size(count: int, sizes: tuple[int, ...]) -> int:
    """The batch size that a chunk of `count` crops is padded up to."""
    return next((size for size in sizes if count <= size), sizes[-1])


def export_litert(model, path: Path, int8_weights: bool = False) -> None:
    """Write a Keras model as a LiteRT flatbuffer.

    With int8_weights, weights are stored as 8-bit integers and LiteRT quantizes each
    crop's activations as it runs (dynamic-range quantization): no calibration data, and
    a crop's probabilities do not depend on the other crops in its batch.
    """
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if int8_weights:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    path.write_bytes(converter.convert())


class KerasBackend:
    """A .keras model behind a compiled tf.function, one trace per batch size."""

    batch_sizes = KERAS_BATCH_SIZES

    def __init__(self, path: Path):
        import keras
        import tensorflow as tf

        try:
            model = keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as error:  # Keras raises many types for a bad file
            raise InputError(f"model {path}: cannot be loaded safely ({first_line(error)})") from None
        self.input_shape = tuple(model.input_shape[1:])
        check_input_shape(path, self.input_shape)
        self.call = tf.function(lambda x: model(x, training=False), reduce_retracing=False)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return np.asarray(self.call(batch.reshape((len(batch),) + self.input_shape)))


class LiteRTBackend:
    """A .tflite model run by LiteRT, one interpreter per batch size."""

    batch_sizes = LITERT_BATCH_SIZES

    def __init__(self, path: Path):
        from ai_edge_litert.interpreter import Interpreter

        try:
            self.interpreters = {size: self._interpreter(Interpreter, path, size) for size in self.batch_sizes}
        except (ValueError, RuntimeError) as error:
            raise InputError(f"model {path}: not a usable LiteRT model ({first_line(error)})") from None

    @staticmethod
    def _interpreter(interpreter_class, path: Path, batch: int):
        # One thread: in the capture loop the other threads, decoding and finding the
        # regions of the next frames, keep the second core busy (1 thread: 174 fps, 2: 159).
        interpreter = interpreter_class(model_path=str(path), num_threads=1)
        (tensor,) = interpreter.get_input_details()
        check_input_shape(path, tuple(tensor["shape"][1:]))
        interpreter.resize_tensor_input(tensor["index"], [batch, *tensor["shape"][1:]])
        interpreter.allocate_tensors()
        return interpreter

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        interpreter = self.interpreters[len(batch)]
        (tensor,) = interpreter.get_input_details()
        interpreter.set_tensor(tensor["index"], batch.reshape(tensor["shape"]))
        interpreter.invoke()
        return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def check_input_shape(path: Path, shape: tuple) -> None:
    if shape not in ((28, 28), (28, 28, 1)):
        raise InputError(f"model {path}: takes input of shape {shape}, expected (28, 28, 1) crops")


@contextmanager
def native_stderr_silenced():
    """TensorFlow and LiteRT write start-up notices from C++ straight to file descriptor 2,
    where they would bury livedigit's own one-line messages."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def first_line(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:200]


class DigitClassifier:
    """Crops (N, 28, 28) float32 in 0..1 -> class probabilities (N, classes)."""

    def __init__(self, model_path: str | Path | None = None):
        path = Path(model_path) if model_path else shipped_model_path()
        if not path.is_file():
            raise InputError(f"model {path}: no such file")
        backend = LiteRTBackend if path.suffix == ".tflite" else KerasBackend
        self.path = path
        with native_stderr_silenced():
            self.backend = backend(path)
            self.num_classes = self._check_output()

    def _check_output(self) -> int:
        try:
            probe = self.backend(np.zeros((self.backend.batch_sizes[0], 28, 28), np.float32))
        except Exception as error:  # whatever the backend raises, the model is unusable
            raise InputError(f"model {self.path}: fails on a batch of crops ({first_line(error)})") from None
        if probe.ndim != 2 or probe.shape[1] < 10:
            raise InputError(f"model {self.path}: outputs shape {probe.shape[1:]}, expected 10 or more classes")
        return probe.shape[1]

    def __call__(self, crops: np.ndarray) -> np.ndarray:
        probabilities = np.empty((len(crops), self.num_classes), np.float32)
        sizes = self.backend.batch_sizes
        for start in range(0, len(crops), sizes[-1]):
            chunk = crops[start:start + sizes[-1]]
            padded = np.zeros((bucket_size(len(chunk), sizes), 28, 28), np.float32)
            padded[:len(chunk)] = chunk
            probabilities[start:start + len(chunk)] = self.backend(padded)[:len(chunk)]
        return probabilities
