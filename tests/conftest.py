"""Shared fixtures: MNIST from ../shared, pages written with known digits, the CLI."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
MNIST = ROOT.parent / "shared" / "data" / "mnist.npz"


@pytest.fixture(scope="session")
def mnist():
    if not MNIST.exists():
        pytest.skip(f"{MNIST} not present")
    with np.load(MNIST) as data:
        return {key: data[key] for key in data.files}


@pytest.fixture(scope="session")
def recognizer():
    from livedigit import Recognizer

    return Recognizer()


class CountingClassifier:
    """Wraps the real classifier and counts its calls and the crops it saw."""

    def __init__(self, classifier):
        self.classifier, self.calls, self.crops = classifier, 0, 0
        self.num_classes = classifier.num_classes

    def __call__(self, crops):
        self.calls += 1
        self.crops += len(crops)
        return self.classifier(crops)


def run_cli(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m livedigit ARGS` headless, as a user would run it."""
    environment = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "livedigit", *args], capture_output=True, text=True,
                          timeout=timeout, env=environment)


@pytest.fixture(scope="session")
def clip(mnist, tmp_path_factory):
    """A short generated clip of a clean page, with its ground truth per frame."""
    import cv2

    from livedigit.synthetic import make_clip, preset

    folder = tmp_path_factory.mktemp("clip")
    path = folder / "page.avi"
    style = preset("clean")
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, style.frame_size)
    truth = []
    for frame, items in make_clip(mnist["x_test"], mnist["y_test"], style, frames=12, seed=3):
        writer.write(frame)
        truth.append({"frame": len(truth), "items": [{"id": i.id, "box": list(i.box), "label": i.label}
                                                    for i in items]})
    writer.release()
    return path, {"frames": truth}
