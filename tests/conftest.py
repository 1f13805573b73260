"""Shared fixtures: the MNIST digits shipped in tests/data, pages written with known digits, the CLI."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
# All 10,000 MNIST test digits and the first 5,000 training digits, in the layout of Keras's
# mnist.npz (see tests/data/README.md): every test runs in a plain clone.
MNIST = ROOT / "tests" / "data" / "mnist-small.npz"


def scene_as_first_filmed(seed: int):
    """Random scene `seed`'s style through no lens, on a flat sheet: the tests pinned on a
    scene's frames describe them as filmed before half the scenes were seen through a lens
    and half the sheets bowed (2026-12-07)."""
    from dataclasses import replace

    from livedigit.synthetic import random_scene

    return replace(random_scene(seed).style, lens=0.0, curl=0.0)


@pytest.fixture(scope="session")
def mnist():
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


def run_cli(*args: str, env: dict | None = None, timeout: float = 120,
            module: str = "livedigit") -> subprocess.CompletedProcess:
    """`python -m livedigit ARGS` (or another of livedigit's commands) headless, as a user would run it."""
    environment = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True,
                          timeout=timeout, env=environment)


def film(mnist, style, frames: int, seed: int, path: Path) -> dict:
    """Write a generated clip of `style` to path (MJPG); returns its ground truth per frame."""
    import cv2

    from livedigit.synthetic import make_clip

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, style.frame_size)
    truth = []
    for frame, items, _ in make_clip(mnist["x_test"], mnist["y_test"], style, frames=frames, seed=seed):
        writer.write(frame)
        truth.append({"frame": len(truth), "items": [{"id": i.id, "box": list(i.box), "label": i.label}
                                                    for i in items]})
    writer.release()
    return {"frames": truth}


@pytest.fixture(scope="session")
def clip(mnist, tmp_path_factory):
    """A short generated clip of a clean page, with its ground truth per frame."""
    from livedigit.synthetic import preset

    path = tmp_path_factory.mktemp("clip") / "page.avi"
    return path, film(mnist, preset("clean"), frames=12, seed=3, path=path)


@pytest.fixture(scope="session")
def long_clip(mnist, tmp_path_factory):
    """An 800-frame clip: longer than any test waits before it interrupts a run."""
    import cv2

    from livedigit.synthetic import make_clip, preset

    style = preset("clean")
    path = tmp_path_factory.mktemp("long") / "long.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, style.frame_size)
    for frame, _, _ in make_clip(mnist["x_test"], mnist["y_test"], style, frames=20, seed=5):
        for _ in range(40):
            writer.write(frame)
    writer.release()
    return path


def start_cli(*args: str) -> subprocess.Popen:
    """`python -m livedigit ARGS` headless, left running."""
    environment = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    return subprocess.Popen([sys.executable, "-m", "livedigit", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environment)


def wait_for_lines(jsonl: Path, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (not jsonl.exists() or len(jsonl.read_text().splitlines()) < count):
        time.sleep(0.1)
