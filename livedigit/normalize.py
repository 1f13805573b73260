"""Turn a region of ink into a 28x28 crop the way MNIST digits were made.

MNIST recipe: the stroke is fitted into a 20x20 box keeping its aspect ratio
(area interpolation), then placed in a 28x28 field so that its centre of mass
sits at the centre; ink is white on black, scaled 0..1.

The app reads a region's grey ink on its mask (`normalize_grey`): where blur filled a
small loop in the mask, or thinned a stroke, its grey levels still show it; where the
page was found, turned so that the page's rows run level at it (see upright). Binary
masks (`normalize_masks`) make the generated marks the model learns as no digit.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from .detect.page import grey_percentile
from .upright import page_turns, turning

CROP_SIZE = 28
FIT_SIZE = 20
# MNIST strokes are about 2.2 px wide once the digit is fitted into 20x20.
MNIST_STROKE_WIDTH = 2.2


ERODE_3X3 = np.ones((3, 3), np.uint8)


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a binary ink mask, estimated as 2 * area / boundary length."""
    area = cv2.countNonZero(mask)
    if area == 0:
        return 0.0
    inner = cv2.erode(mask, ERODE_3X3, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    return 2.0 * area / max(area - cv2.countNonZero(inner), 1)


def thicken_to_mnist(mask: np.ndarray, ink: np.ndarray | None = None) -> np.ndarray:
    """Dilate thin strokes so that, once fitted into 20x20, they are as wide as MNIST's:
    the mask's own, or the grey `ink` on it (the mask measures the strokes)."""
    ink = mask if ink is None else ink
    scale = max(mask.shape) / FIT_SIZE
    missing = MNIST_STROKE_WIDTH * scale - stroke_width(mask)
    radius = int(round(missing / 2))
    if radius < 1:
        return ink
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    padded = cv2.copyMakeBorder(ink, radius, radius, radius, radius, cv2.BORDER_CONSTANT, value=0)
    return cv2.dilate(padded, kernel)


def fit_into_box(ink: np.ndarray, size: int = FIT_SIZE) -> np.ndarray:
    """Resize ink (uint8) so its longer side is `size`, keeping aspect ratio.

    Area interpolation to 8 bits, as MNIST's own grey levels were made.
    """
    h, w = ink.shape
    scale = size / max(h, w)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(ink, (new_w, new_h), interpolation=interpolation)


def place_by_centre_of_mass(fitted: np.ndarray, field: np.ndarray) -> None:
    """Paste `fitted` into the zeroed square `field` with its centre of mass at the centre."""
    h, w = fitted.shape
    size = field.shape[0]
    moments = cv2.moments(fitted)
    if moments["m00"] > 0:
        cy, cx = moments["m01"] / moments["m00"], moments["m10"] / moments["m00"]
    else:
        cy, cx = (h - 1) / 2, (w - 1) / 2
    top = min(max(round((size - 1) / 2 - cy), 0), size - h)
    left = min(max(round((size - 1) / 2 - cx), 0), size - w)
    field[top:top + h, left:left + w] = fitted


def place_digit(mask: np.ndarray, field: np.ndarray, ink: np.ndarray | None = None) -> None:
    """The MNIST recipe for one binary ink mask, or for the grey `ink` on it (the mask's
    shape), into a zeroed 28x28 uint8 field."""
    x, y, w, h = cv2.boundingRect(mask)
    if w > 0:
        _, tight = cv2.threshold(mask[y:y + h, x:x + w], 0, 255, cv2.THRESH_BINARY)
        cut_ink = None if ink is None else ink[y:y + h, x:x + w]
        place_by_centre_of_mass(fit_into_box(thicken_to_mnist(tight, cut_ink)), field)


# Grey crops: the ink's darkness below the paper around it, on the mask grown by this many
# pixels (the blur's halo), scaled so that this share of the mask's ink is full ink.
GREY_REACH = 1
FULL_INK = 0.9
GROWN = np.ones((2 * GREY_REACH + 1, 2 * GREY_REACH + 1), np.uint8)


def ink_darkness(gray: np.ndarray, box, mask: np.ndarray) -> np.ndarray:
    """The darkness of the ink on a region's mask grown by GREY_REACH, below the paper's
    median brightness around it, cut to the mask's box (uint8, 255 for full ink)."""
    x, y, w, h = box
    reach = GREY_REACH + 2  # the paper is judged a little beyond the grown mask
    top, left = max(y - reach, 0), max(x - reach, 0)
    window = gray[top:y + h + reach, left:x + w + reach]
    on_mask = np.zeros(window.shape, np.uint8)
    on_mask[y - top:y - top + h, x - left:x - left + w] = cv2.compare(mask, 0, cv2.CMP_GT)
    grown = cv2.dilate(on_mask, GROWN)
    paper = grey_percentile(window, cv2.bitwise_not(grown), 0.5)
    darkness = cv2.bitwise_and(cv2.subtract(np.full_like(window, paper), window), grown)
    full_ink = grey_percentile(darkness, on_mask, FULL_INK)
    ink = cv2.convertScaleAbs(darkness, alpha=255 / max(full_ink, 1))
    return ink[y - top:y - top + h, x - left:x - left + w]


def normalize_grey(gray: np.ndarray, boxes, masks: list[np.ndarray], page: np.ndarray | None = None) -> np.ndarray:
    """The grey ink of regions of an 8-bit grey frame (x, y, w, h boxes, each one's binary
    ink mask cut to it; see ink_darkness) -> (N, 28, 28) float32 in 0..1; turned upright
    by the `page` in view (its corners, clockwise from top-left) where one was found."""
    fields = np.zeros((len(masks), CROP_SIZE, CROP_SIZE), np.uint8)
    turns = (page_turns(page, gray.shape, np.asarray(boxes).reshape(-1, 4)) if page is not None
             else np.tile(np.eye(2), (len(masks), 1, 1)))
    to_turn = turning(turns)
    for box, mask, turn, needs_turning, field in zip(boxes, masks, turns, to_turn, fields):
        ink = ink_darkness(gray, box, mask)
        if needs_turning:
            ink, mask = turned(ink, mask, turn)
        place_digit(mask, field, ink)
    return fields.astype(np.float32) / 255


def turned(ink: np.ndarray, mask: np.ndarray, turn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The grey ink and its mask mapped by the 2x2 `turn` about their centre, onto a canvas
    that holds all of them (the mask bilinear too, then cut at half: its edge stays smooth)."""
    h, w = mask.shape
    (a, b), (c, d) = turn.tolist()
    width, height = math.ceil(abs(a) * w + abs(b) * h) + 2, math.ceil(abs(c) * w + abs(d) * h) + 2
    about_centre = np.array([[a, b, (width - a * w - b * h) / 2], [c, d, (height - c * w - d * h) / 2]])
    ink, mask = cv2.split(cv2.warpAffine(cv2.merge([ink, mask]), about_centre, (width, height), flags=cv2.INTER_LINEAR))
    return ink, cv2.compare(mask, 127, cv2.CMP_GT)


def normalize_masks(masks: list[np.ndarray]) -> np.ndarray:
    """Binary ink masks (uint8, non-zero = ink), each cut to its digit -> (N, 28, 28) float32 in 0..1."""
    fields = np.zeros((len(masks), CROP_SIZE, CROP_SIZE), np.uint8)
    for mask, field in zip(masks, fields):
        place_digit(mask, field)
    return fields.astype(np.float32) / 255


def normalize_mask(mask: np.ndarray) -> np.ndarray:
    """One binary ink mask -> its 28x28 float32 crop in 0..1."""
    return normalize_masks([mask])[0]
