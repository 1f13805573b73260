"""What the page lies on or is taped to, for pages that do not fill the view."""
from __future__ import annotations

import cv2
import numpy as np

from .page import Page, inked_item, smooth_noise
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
    bumps = smooth_noise(shape, (3, 3), rng)
    pits = np.clip(bumps - 1.6, 0, None) * rng.uniform(25, 60)  # the deepest bumps cast dark spots
    value = 200 + 8 * smooth_noise(shape, (40, 40), rng) + 6 * bumps - pits
    return value[:, :, None] * np.array([0.97, 1.0, 1.02], np.float32) * rng.uniform(0.85, 1.05)


def desk(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A dark leather desk: fine grain and a net of pale creases."""
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
    return (1 + 0.04 * smooth_noise(shape, (8, 8), rng))[:, :, None] * np.array([70, 60, 55], np.float32)


def person(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A person in front of a plastered wall, seen from the chest up: the page will hide
    most of the shirt; the head shows above it and the arms below its sides."""
    h, w = shape
    room = plaster(shape, rng)
    shirt = tuple(float(c) for c in rng.uniform(40, 160, 3))
    cv2.ellipse(room, (w // 2, h), (int(0.42 * w), int(0.62 * h)), 0, 180, 360, shirt, -1, cv2.LINE_AA)
    cv2.rectangle(room, (int(0.46 * w), int(0.12 * h)), (int(0.54 * w), int(0.4 * h)), SKIN, -1)  # neck
    cv2.ellipse(room, (w // 2, int(0.1 * h)), (int(0.1 * w), int(0.14 * h)), 0, 0, 360, SKIN, -1, cv2.LINE_AA)
    cv2.ellipse(room, (w // 2, int(0.02 * h)), (int(0.105 * w), int(0.09 * h)), 0, 180, 360, (30, 35, 45), -1)
    return room


SKIN = (125, 150, 200)  # BGR


def hold_up(canvas: np.ndarray, sheet: tuple[int, int, int, int], rng: np.random.Generator) -> None:
    """Two hands holding the sheet by its sides: a palm and an arm beyond each side, the
    thumb over the paper's edge, reaching less far onto it than the page's margin."""
    x, y, w, h = sheet
    height = canvas.shape[0]
    for side in (-1, 1):
        edge = x if side < 0 else x + w
        grip = int(y + h * rng.uniform(0.4, 0.6))
        palm = (edge + side * int(0.05 * w), grip)
        sleeve = tuple(float(c) for c in rng.uniform(40, 160, 3))
        arm = np.array([[palm[0] - 0.06 * w, grip], [palm[0] + 0.06 * w, grip],
                        [palm[0] + side * 0.02 * w + 0.08 * w, height], [palm[0] + side * 0.02 * w - 0.08 * w, height]])
        cv2.fillPoly(canvas, [arm.astype(np.int32)], sleeve, cv2.LINE_AA)
        cv2.ellipse(canvas, palm, (int(0.055 * w), int(0.1 * h)), 0, 0, 360, SKIN, -1, cv2.LINE_AA)
        thumb_tip = (edge - side * THUMB_REACH, grip - int(0.04 * h))
        cv2.line(canvas, palm, thumb_tip, SKIN, int(0.022 * w), cv2.LINE_AA)
        cv2.line(canvas, palm, thumb_tip, tuple(0.8 * c for c in SKIN), 2, cv2.LINE_AA)  # its shaded side


# How far, in page pixels, a thumb's tip reaches onto the sheet: with its width, less than the
# page's left margin.
THUMB_REACH = 14

# In this order: random scenes draw from it, and a seed must keep drawing the same scene.
SURROUNDS = {"table": table, "wood": wood, "wallpaper": wallpaper, "plaster": plaster, "desk": desk,
             "fabric": fabric}
# Surroundings only presets show.
PRESET_SURROUNDS = {"person": person}


def mount(page: Page, style: Style, rng: np.random.Generator) -> Page:
    """The page in the middle of a door, wall or desk, or held up by a person, with the item
    boxes moved along."""
    h, w = page.image.shape[:2]
    dx, dy = int(w * style.margin), int(h * style.margin)
    canvas = {**SURROUNDS, **PRESET_SURROUNDS}[style.surround]((h + 2 * dy, w + 2 * dx), rng)
    canvas[dy:dy + h, dx:dx + w] = page.image
    if style.hands:
        hold_up(canvas, (dx, dy, w, h), rng)
    items = [inked_item(item.outline + (dx, dy), item.label, item.id, item.number) for item in page.items]
    return Page(canvas, items, (dx, dy, w, h))


