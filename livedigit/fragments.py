"""Broken digits: strokes of one digit that thresholding left in separate pieces.

A faint pen leaves a 4 as an L and a 1, a 5 without its flag. Pieces that nearly touch
are offered to the classifier together as well as apart (in the same batch); the whole
wins where it reads as a confident digit and a piece alone did not. A small digit may
break into strokes each too short to be a digit (a pencil 5 whose stem lay along a grid
line and was erased with it): two such strokes with no region beside them are read
together only.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .params import DetectionParams

# Pieces closer than this fraction of the taller one's height, and together at most
# UNION_HEIGHT times as tall, may be one digit. Pieces up to LOOSE_GAP apart, or together
# up to LOOSE_HEIGHT times as tall, are loosely paired: a faint 6's stem broken off its
# loop, each read as a digit, which join only where together they read surely.
MAX_GAP = 0.15
UNION_HEIGHT = 1.6
LOOSE_GAP = 0.2
LOOSE_HEIGHT = 2.0
MAX_PAIRS = 64
# Pieces found apart that each read at least this confidently are two digits, whatever
# their union reads (a 1 beside a 7 is not a 4).
SURE = 0.9
# The digits of a number stand about as tall as each other: a piece under this fraction
# of its neighbour's height is part of it (the hook of a 4 written in two strokes, beside
# its stem), however surely it reads alone.
SHORTER_PART = 0.6


def union_box(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    low = np.minimum(a[:2], b[:2])
    high = np.maximum(a[:2] + a[2:], b[:2] + b[2:])
    return np.concatenate([low, high - low]).astype(np.int32)


def fragment_pairs(boxes: np.ndarray, params: DetectionParams, frame_height: int) -> list[tuple[int, int, bool]]:
    """Index pairs of regions close enough, and together shaped enough like a digit, to be
    one, each with whether they are only loosely so (LOOSE_GAP, LOOSE_HEIGHT)."""
    x, y, w, h = boxes.T.astype(np.int64)
    # two strokes, each shorter than a digit, are judged as the pieces of the smallest one
    taller = np.maximum(np.maximum(h[:, None], h[None, :]), params.min_height)
    gap_x = np.maximum(np.maximum(x[None, :] - (x + w)[:, None], x[:, None] - (x + w)[None, :]), 0)
    gap_y = np.maximum(np.maximum(y[None, :] - (y + h)[:, None], y[:, None] - (y + h)[None, :]), 0)
    union_w = np.maximum((x + w)[:, None], (x + w)[None, :]) - np.minimum(x[:, None], x[None, :])
    union_h = np.maximum((y + h)[:, None], (y + h)[None, :]) - np.minimum(y[:, None], y[None, :])
    gap = np.maximum(gap_x, gap_y)
    candidates = ((gap <= LOOSE_GAP * taller) & (union_h <= LOOSE_HEIGHT * taller)
                  & (union_w <= params.max_aspect * union_h)
                  & (union_h <= params.max_height * frame_height / 100))
    loose = (gap > MAX_GAP * taller) | (union_h > UNION_HEIGHT * taller)
    first, second = np.nonzero(np.triu(candidates, k=1))
    return list(zip(first.tolist(), second.tolist(), loose[first, second].tolist()))[:MAX_PAIRS]


def stacked(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether one x, y, w, h box stands above the other: the digits of a number stand side by side."""
    overlap_x = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    overlap_y = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return overlap_x >= 0.5 * min(a[2], b[2]) and overlap_y <= 0


def union_mask(boxes: np.ndarray, masks: list[np.ndarray], i: int, j: int) -> tuple[np.ndarray, np.ndarray]:
    """The box around two pieces and their ink together."""
    box = union_box(boxes[i], boxes[j])
    mask = np.zeros((box[3], box[2]), np.uint8)
    for k in (i, j):
        x, y = boxes[k][:2] - box[:2]
        mask[y:y + masks[k].shape[0], x:x + masks[k].shape[1]] |= masks[k]
    return box, mask


class Pair(NamedTuple):
    """Two pieces that may be one digit, and how they came about, which decides when their
    union wins: "apart" (found apart), "cut" (one blob cut in two), "stroke" (the second
    is a stroke too small to read alone) or "strokes" (both are); and whether they are
    only loosely close (fragment_pairs)."""

    first: int
    second: int
    kind: str
    loose: bool = False


def close_pairs(boxes: np.ndarray, regions: int, params: DetectionParams, frame_height: int,
                cut: set[tuple[int, int]]) -> list[Pair]:
    """The pairs of fragment_pairs among `boxes` (the first `regions` are regions, the rest
    strokes) to read together: a region with a region ("apart", but not the halves of a
    blob `cut` in two) or with a stroke ("stroke"); two strokes ("strokes") where together
    they stand as tall as a digit and neither lies beside a region (it is read with that
    region, or is part of the letter that region is)."""
    close = fragment_pairs(boxes, params, frame_height)
    beside_regions = {j for i, j, _ in close if i < regions}
    pairs = []
    for i, j, loose in close:
        if i < regions and (i, j) not in cut:
            pairs.append(Pair(i, j, "apart" if j < regions else "stroke", loose))
        elif i >= regions and not {i, j} & beside_regions and union_box(boxes[i], boxes[j])[3] >= params.min_height:
            pairs.append(Pair(i, j, "strokes", loose))
    return pairs


def join_fragments(boxes: np.ndarray, probabilities: np.ndarray, pairs: list[Pair],
                   union_boxes: np.ndarray, union_probabilities: np.ndarray, digits: int,
                   confidence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Replace pairs of pieces by their union where the union reads better: the boxes and
    readings kept, and where each comes from (an index into the pieces, then the unions).

    The union must read as a digit at `confidence` or more; that of a loose pair, at SURE
    or more, and each of its pieces as a digit. Pieces found apart join when one of them
    does not read surely alone, is far shorter than the other (SHORTER_PART) or stands
    above it, and the union reads nearly as confidently as either. A blob cut in two
    stays whole when whole it reads at least as confidently as its weaker piece (halves of
    a wide 0 read as a 6 and a 7). A stroke joins a piece when together they read more
    confidently than the piece alone; two strokes join where together they read at SURE
    or more. Strokes (indices beyond `boxes`) are never kept alone.
    """
    def digit_confidence(p: np.ndarray) -> float:
        return float(p[:digits].max())

    def reads_as_digit(k: int) -> bool:
        return k >= len(boxes) or probabilities[k].argmax() < digits  # a stroke is not read alone

    # Surest first; of unions about as sure, the larger first: a digit is rather the whole
    # than a part (a 6's stem with its loop, not with a speck beside them).
    sureness = np.round(union_probabilities[:, :digits].max(axis=1), 2)
    order = np.lexsort((-union_boxes[:, 2] * union_boxes[:, 3], -sureness)) if len(pairs) else []
    used, kept_unions = set(), []
    for u in order:
        i, j, kind, loose = pairs[u]
        union = union_probabilities[u]
        least = SURE if loose or kind == "strokes" else confidence
        if i in used or j in used or union.argmax() >= digits or union.max() < least:
            continue
        if loose and not (reads_as_digit(i) and reads_as_digit(j)):
            continue
        whole = digit_confidence(union)
        if kind == "strokes":
            better = True  # neither is read alone: the union is all there is
        elif kind == "stroke":
            better = whole > digit_confidence(probabilities[i])
        else:
            first, second = digit_confidence(probabilities[i]), digit_confidence(probabilities[j])
            if kind == "cut":
                better = whole >= min(first, second)
            else:
                heights = sorted((boxes[i][3], boxes[j][3]))
                unsure = (min(first, second) < SURE or heights[0] < SHORTER_PART * heights[1]
                          or stacked(boxes[i], boxes[j]))
                better = unsure and whole >= 0.9 * max(first, second)
        if better:
            used.update((i, j))
            kept_unions.append(u)
    keep = np.array([k not in used for k in range(len(boxes))], bool)
    return (np.concatenate([boxes[keep], union_boxes[kept_unions]]).reshape(-1, 4),
            np.concatenate([probabilities[keep], union_probabilities[kept_unions]]),
            np.concatenate([np.flatnonzero(keep), len(boxes) + np.array(kept_unions, np.intp)]))
