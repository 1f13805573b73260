"""Blobs wider than a digit: the underline they stand on taken off, touching digits cut apart."""
from __future__ import annotations

import cv2
import numpy as np

from ..params import DetectionParams
from .lines.geometry import line_kernel

# Blobs up to this many times wider than a digit may be touching digits; wider ones are not.
MAX_TOUCHING = 4


# An underline is tilted at most this much, in degrees, by the hand or the camera.
UNDERLINE_TILTS = (-8, -4, 0, 4, 8)


def without_underline(mask: np.ndarray, box: np.ndarray,
                      params: DetectionParams) -> list[tuple[np.ndarray, np.ndarray]]:
    """A blob wider than a digit, less the thin straight stroke it may stand on (an underline),
    as the pieces that remain. A straight run twice as long as the blob is high, in its
    lower third, is no digit's stroke; one thicker than a fifth of that height is a marker
    stroke, kept."""
    h, w = mask.shape
    run = 2 * h
    if w <= params.max_aspect * h or run >= w:
        return [(box, mask)]
    straight = max((cv2.morphologyEx(mask, cv2.MORPH_OPEN,
                                     line_kernel(np.cos(np.deg2rad(a)), np.sin(np.deg2rad(a)), run))
                    for a in UNDERLINE_TILTS), key=np.count_nonzero)
    across = np.count_nonzero(straight, axis=0)
    rows = np.flatnonzero(straight.any(axis=1))
    if (not across.any() or np.median(across[across > 0]) > h / 5
            or rows.mean() < 2 * h / 3):  # an underline is under the digits
        return [(box, mask)]
    rest = mask & ~cv2.dilate(straight, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(rest)
    return [(np.array([box[0] + x, box[1] + y, pw, ph], np.int32),
             np.where(labels[y:y + ph, x:x + pw] == label, 255, 0).astype(np.uint8))
            for label, (x, y, pw, ph, _) in enumerate(stats) if label > 0]


def split_touching(mask: np.ndarray, box: np.ndarray, params: DetectionParams) -> list[tuple[np.ndarray, np.ndarray]]:
    """A blob wider than one digit, cut at the thinnest ink columns into digit-wide pieces."""
    h, w = mask.shape
    if w <= params.max_aspect * h:
        return [(box, mask)]
    parts = int(np.clip(round(w / (0.75 * h)), 2, MAX_TOUCHING + 1))
    ink_per_column = np.convolve(np.count_nonzero(mask, axis=0), np.ones(3), mode="same")
    reach = w // (3 * parts)
    cuts = [0]
    for i in range(1, parts):
        centre = i * w // parts
        cuts.append(centre - reach + int(np.argmin(ink_per_column[centre - reach:centre + reach + 1])))
    cuts.append(w)
    pieces = []
    for left, right in zip(cuts[:-1], cuts[1:]):
        piece = mask[:, left:right]
        ys, xs = np.nonzero(piece)
        if len(ys):
            top, bottom, first, last = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
            piece_box = np.array([box[0] + left + first, box[1] + top, last - first, bottom - top], np.int32)
            pieces.append((piece_box, piece[top:bottom, first:last]))
    return pieces
