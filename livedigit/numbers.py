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


def neighbours(left: np.ndarray, right: np.ndarray) -> bool:
    """Two digit boxes, the second to the right of the first, read as one number."""
    lx, ly, lw, lh = left
    rx, ry, rw, rh = right
    height = (lh + rh) / 2
    overlap = min(ly + lh, ry + rh) - max(ly, ry)
    gap = rx - (lx + lw)
    return (overlap >= 0.5 * min(lh, rh) and max(lh, rh) <= 1.6 * min(lh, rh)
            and -0.25 * height <= gap <= 0.6 * height)


def group_numbers(detections: Detections) -> list[Number]:
    """Chains of neighbouring digits, left to right, each chain a number."""
    order = np.argsort(detections.boxes[:, 0], kind="stable")
    chains: list[list[int]] = []
    for index in order:
        for chain in chains:
            if neighbours(detections.boxes[chain[-1]], detections.boxes[index]):
                chain.append(index)
                break
        else:
            chains.append([index])
    numbers = []
    for chain in sorted(chains, key=lambda c: (detections.boxes[c[0], 1], detections.boxes[c[0], 0])):
        boxes = detections.boxes[chain]
        x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
        x1, y1 = (boxes[:, 0] + boxes[:, 2]).max(), (boxes[:, 1] + boxes[:, 3]).max()
        numbers.append(Number("".join(str(d) for d in detections.digits[chain]),
                              (int(x0), int(y0), int(x1 - x0), int(y1 - y0))))
    return numbers
