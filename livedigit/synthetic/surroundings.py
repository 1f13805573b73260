"""What the page lies on or is taped to, for pages that do not fill the view."""
from __future__ import annotations

import cv2
import numpy as np

from .page import Page, PageItem, smooth_noise
from .style import Style


def wood(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A carved wooden door: brown grain with dark carved panel lines."""
    h, w = shape
    xs = np.arange(w, dtype=np.float32)[None, :]
    grain = np.sin((xs + 25 * smooth_noise(shape, (20, 60), rng)) / rng.uniform(5, 9))
    value = 0.75 + 0.12 * grain + 0.08 * smooth_noise(shape, (1, 12), rng)
    door = value[:, :, None] * np.array([45, 85, 140], np.float32)
    for inset in (0.08, 0.16):
        top_left = (int(w * inset), int(h * inset))
        cv2.rectangle(door, top_left, (int(w * (1 - inset)), int(h * (1 - inset))), (15, 30, 50), 6)
    return door


def wallpaper(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A pale wall with a repeating pattern of small flowers and leaves."""
    h, w = shape
    wall = np.empty((h, w, 3), np.float32)
    wall[:] = (200, 212, 222)
    wall += 6 * smooth_noise(shape, (2, 2), rng)[:, :, None]
    colour, pitch = (110, 125, 150), int(rng.integers(90, 120))
    size = pitch // 4
    for row, y in enumerate(range(pitch // 2, h, pitch)):
        for x in range(pitch // 2 + (row % 2) * pitch // 2, w, pitch):
            for angle in range(0, 360, 72):
                centre = (int(x + size * np.cos(np.deg2rad(angle))), int(y + size * np.sin(np.deg2rad(angle))))
                cv2.ellipse(wall, centre, (size, size // 3), angle, 0, 360, colour, 3, cv2.LINE_AA)
            cv2.circle(wall, (x, y), size // 3, colour, -1, cv2.LINE_AA)
            curl = x + pitch // 2, y + pitch // 2
            cv2.ellipse(wall, curl, (size, size // 2), 30, 0, 270, colour, 3, cv2.LINE_AA)
    return wall


def plaster(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A plastered wall: pale, with blotches and the shadows of its bumps, 5-30 px across."""
    h, w = shape
    bumps = smooth_noise(shape, (3, 3), rng)
    pits = np.clip(bumps - 1.6, 0, None) * rng.uniform(25, 60)  # the deepest bumps cast dark spots
    value = 200 + 8 * smooth_noise(shape, (40, 40), rng) + 6 * bumps - pits
    return value[:, :, None] * np.array([0.97, 1.0, 1.02], np.float32) * rng.uniform(0.85, 1.05)


def desk(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A dark leather desk: fine grain and a net of pale creases."""
    h, w = shape
    creases = np.clip(1 - np.abs(smooth_noise(shape, (4, 4), rng)) * 4, 0, 1)  # thin ridges where noise crosses 0
    value = 0.32 + 0.06 * smooth_noise(shape, (1.2, 1.2), rng) + 0.14 * creases
    return value[:, :, None] * np.array([110, 120, 135], np.float32)


def fabric(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A woven cloth or carpet: a fine over-and-under pattern in a random colour."""
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    pitch = rng.uniform(3, 8)
    weave = np.sin(xs / pitch) * np.sin(ys / pitch)
    value = 0.7 + 0.15 * weave + 0.08 * smooth_noise(shape, (2, 2), rng)
    return value[:, :, None] * rng.uniform(60, 220, 3).astype(np.float32)


def table(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A plain dark tabletop, as beyond the page's edge in the presets."""
    h, w = shape
    return (1 + 0.04 * smooth_noise(shape, (8, 8), rng))[:, :, None] * np.array([70, 60, 55], np.float32)


# In this order: random scenes draw from it, and a seed must keep drawing the same scene.
SURROUNDS = {"table": table, "wood": wood, "wallpaper": wallpaper, "plaster": plaster, "desk": desk,
             "fabric": fabric}


def mount(page: Page, style: Style, rng: np.random.Generator) -> Page:
    """The page taped in the middle of a door or wall, with the item boxes moved along."""
    h, w = page.image.shape[:2]
    dx, dy = int(w * style.margin), int(h * style.margin)
    canvas = SURROUNDS[style.surround]((h + 2 * dy, w + 2 * dx), rng)
    canvas[dy:dy + h, dx:dx + w] = page.image
    items = [PageItem((x + dx, y + dy, bw, bh), item.label, item.id)
             for item, (x, y, bw, bh) in ((item, item.box) for item in page.items)]
    return Page(canvas, items)


