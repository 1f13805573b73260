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


def neighbours(boxes: np.ndarray) -> np.ndarray:
    """(N, N) bool: box j (x, y, w, h) sits just right of box i, on the same line, of similar height."""
    x, y, w, h = boxes.T.astype(np.float64)
    height = (h[:, None] + h[None, :]) / 2
    shorter = np.minimum(h[:, None], h[None, :])
    overlap = np.minimum((y + h)[:, None], (y + h)[None, :]) - np.maximum(y[:, None], y[None, :])
    gap = x[None, :] - (x + w)[:, None]
    return ((overlap >= 0.5 * shorter) & (np.maximum(h[:, None], h[None, :]) <= 1.6 * shorter)
            & (gap >= -0.25 * height) & (gap <= 0.6 * height))


def group_numbers(detections: Detections) -> list[Number]:
    """Chains of neighbouring digits, left to right, each chain a number: each digit
    continues the earliest chain that ends in a digit it follows, or starts one."""
    boxes = detections.boxes.tolist()
    digits = detections.digits.tolist()
    predecessors: list[list[int]] = [[] for _ in boxes]  # plain lists: the chaining below is sequential
    for before, after in zip(*(axis.tolist() for axis in np.nonzero(neighbours(detections.boxes)))):
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
    numbers = []
    for chain in sorted(chains, key=lambda c: (boxes[c[0]][1], boxes[c[0]][0])):
        x0 = min(boxes[i][0] for i in chain)
        y0 = min(boxes[i][1] for i in chain)
        x1 = max(boxes[i][0] + boxes[i][2] for i in chain)
        y1 = max(boxes[i][1] + boxes[i][3] for i in chain)
        numbers.append(Number("".join(str(digits[i]) for i in chain), (x0, y0, x1 - x0, y1 - y0)))
    return numbers
