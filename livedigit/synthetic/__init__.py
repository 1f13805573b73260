"""Camera-like footage of handwritten pages, with exact ground truth.

MNIST digits (use the test split for evaluation) are written in rows of numbers on a
page with paper texture, optional ruled lines, ink colours and distractor marks; a
moving, tilting virtual camera films it under uneven light with blur and noise. Every
frame comes with the box and label of each digit and each non-digit mark fully in view.

The steps: `style` (how a clip looks: presets, and random scenes in `scenes`), `page`
(paper and ink), `surroundings` (what the page lies on), `camera` (each frame).
"""
from __future__ import annotations

import numpy as np

from .camera import Shot, film
from .page import Page, PageItem, write_page
from .scenes import Scene, random_scene
from .style import PRESETS, Style, preset
from .surroundings import mount

__all__ = ["PRESETS", "Page", "PageItem", "Scene", "Shot", "Style", "make_clip", "preset", "random_scene"]

# The camera's path over the page repeats every this many seconds.
CAMERA_CYCLE_S = 20.0


def make_clip(digits: np.ndarray, labels: np.ndarray, style: Style, frames: int, seed: int, fps: float = 30.0):
    """Yield a Shot (frame, items in view, the paper in view) for each of `frames` frames of one page."""
    rng = np.random.default_rng(seed)
    page = write_page(digits, labels, style, rng)
    if style.surround:
        page = mount(page, style, rng)
    start = rng.uniform()  # where on its path the camera starts
    for index in range(frames):
        yield film(page, style, start + index / (fps * CAMERA_CYCLE_S), rng)


