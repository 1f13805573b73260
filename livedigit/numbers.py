"""Group digits that sit on one line, close together, into numbers."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .detections import Detections


@dataclass(frozen=True)
class Number:
    value: str                      # the digits left to right, e.g. "2019"
    box: tuple[int, int, int, int]  # x, y, w, h around them

    def to_record(self) -> dict:
        return {"value": self.value, "box": list(self.box)}


# Boxes of about one height: the taller at most this many times the shorter.
ALIKE_HEIGHTS = 1.6


def neighbours(boxes: np.ndarray, max_gap: float = 0.6) -> np.ndarray:
    """(N, N) bool: box j (x, y, w, h) sits just right of box i (at most `max_gap` of their
    height away), on the same line, of similar height."""
    x, y, w, h = boxes.T.astype(np.float64)
    height = (h[:, None] + h[None, :]) / 2
    shorter = np.minimum(h[:, None], h[None, :])
    overlap = np.minimum((y + h)[:, None], (y + h)[None, :]) - np.maximum(y[:, None], y[None, :])
    gap = x[None, :] - (x + w)[:, None]
    return ((overlap >= 0.5 * shorter) & (np.maximum(h[:, None], h[None, :]) <= ALIKE_HEIGHTS * shorter)
            & (gap >= -0.25 * height) & (gap <= max_gap * height))


# A page seen turned by less than this (radians) is taken as level: its digits' boxes are
# judged as they stand in the frame. So is a frame with fewer than SLANT_PAIRS digits with
# a neighbour to their right: a stray speck beside a digit or two says little of the lines.
LEVEL = np.radians(5)
SLANT_PAIRS = 3


def line_slant(boxes: np.ndarray) -> float:
    """The slant (radians, clockwise from the frame's rows) of the lines x, y, w, h boxes
    of digits sit on: the median direction from each box to the nearest box of about its
    height to its right, within 45 degrees of level and three of its heights; 0 where
    fewer than SLANT_PAIRS have one."""
    centres = (boxes[:, :2] + boxes[:, 2:] / 2).astype(np.float32)
    heights = boxes[:, 3].astype(np.float32)
    dx = centres[None, :, 0] - centres[:, None, 0]
    dy = centres[None, :, 1] - centres[:, None, 1]
    squared = dx * dx + dy * dy
    taller, shorter = np.maximum(heights[:, None], heights[None, :]), np.minimum(heights[:, None], heights[None, :])
    candidates = ((dx > 0) & (np.abs(dy) <= dx) & (squared <= (3 * heights[:, None]) ** 2)
                  & (taller <= ALIKE_HEIGHTS * shorter))
    rows = np.flatnonzero(candidates.any(axis=1))
    if len(rows) < SLANT_PAIRS:
        return 0.0
    nearest = np.where(candidates[rows], squared[rows], np.inf).argmin(axis=1)
    return float(np.median(np.arctan2(dy[rows, nearest], dx[rows, nearest])))


def as_the_lines_run(boxes: np.ndarray, slant: float) -> np.ndarray:
    """x, y, w, h boxes of digits on lines slanting by `slant` (see line_slant), their
    centres turned level; each keeps its size (a turned digit's frame box is larger than
    the digit: neighbours are judged a little more loosely)."""
    cos, sin = np.cos(slant), np.sin(slant)
    centres = (boxes[:, :2] + boxes[:, 2:] / 2) @ np.array([[cos, -sin], [sin, cos]])  # turned by -slant
    return np.concatenate([centres - boxes[:, 2:] / 2, boxes[:, 2:]], axis=1)


def group_numbers(detections: Detections) -> list[Number]:
    """Chains of neighbouring digits, left to right along their line, each chain a number:
    each digit continues the earliest chain that ends in a digit it follows, or starts
    one. On a page seen turned (line_slant), digits are neighbours as they stand in the
    frame or as they stand on the page's lines: seen in perspective, the lines slant more
    in one part of the frame than in another."""
    slant = line_slant(detections.boxes) if len(detections.boxes) > 1 else 0.0
    beside = neighbours(detections.boxes)
    boxes = detections.boxes.tolist()
    if abs(slant) >= LEVEL:
        on_lines = as_the_lines_run(detections.boxes, slant)
        beside |= neighbours(on_lines)
        boxes = on_lines.tolist()
    digits = detections.digits.tolist()
    predecessors: list[list[int]] = [[] for _ in boxes]  # plain lists: the chaining below is sequential
    for before, after in zip(*(axis.tolist() for axis in np.nonzero(beside))):
        predecessors[after].append(before)
    chains: list[list[int]] = []
    chain_ending_at: dict[int, int] = {}  # last digit of a chain -> the chain's place in `chains`
    for index in sorted(range(len(boxes)), key=lambda i: boxes[i][0]):
        ending = [chain_ending_at[before] for before in predecessors[index] if before in chain_ending_at]
        if ending:
            chain = min(ending)
            del chain_ending_at[chains[chain][-1]]
            chains[chain].append(index)
        else:
            chain = len(chains)
            chains.append([index])
        chain_ending_at[index] = chain
    chains.sort(key=lambda chain: (boxes[chain[0]][1], boxes[chain[0]][0]))
    values = ["".join(str(digits[i]) for i in chain) for chain in chains]
    return [Number(value, box) for value, box in zip(values, union_boxes(detections.boxes, chains))]


def union_boxes(boxes: np.ndarray, groups: list[list[int]]) -> list[tuple[int, int, int, int]]:
    """The x, y, w, h box around each group of boxes (all groups in a few numpy calls)."""
    if not groups:
        return []
    members = boxes[[i for group in groups for i in group]]
    starts = np.cumsum([0] + [len(group) for group in groups[:-1]])
    low = np.minimum.reduceat(members[:, :2], starts)
    high = np.maximum.reduceat(members[:, :2] + members[:, 2:], starts)
    return [tuple(box) for box in np.concatenate([low, high - low], axis=1).tolist()]
