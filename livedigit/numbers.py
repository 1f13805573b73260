"""Group digits that sit on one line, close together, into numbers."""
from __future__ import annotations

from dataclasses import dataclass

from .detections import Detections


@dataclass(frozen=True)
class Number:
    value: str                      # the digits left to right, e.g. "2019"
    box: tuple[int, int, int, int]  # x, y, w, h around them

    def to_record(self) -> dict:
        return {"value": self.value, "box": list(self.box)}


def neighbours(left: list[int], right: list[int]) -> bool:
    """Two digit boxes (x, y, w, h), the second to the right of the first, read as one number."""
    lx, ly, lw, lh = left
    rx, ry, rw, rh = right
    height = (lh + rh) / 2
    overlap = min(ly + lh, ry + rh) - max(ly, ry)
    gap = rx - (lx + lw)
    return (overlap >= 0.5 * min(lh, rh) and max(lh, rh) <= 1.6 * min(lh, rh)
            and -0.25 * height <= gap <= 0.6 * height)


def group_numbers(detections: Detections) -> list[Number]:
    """Chains of neighbouring digits, left to right, each chain a number."""
    boxes = detections.boxes.tolist()  # plain ints: this runs per pair, numpy scalars are slow
    digits = detections.digits.tolist()
    chains: list[list[int]] = []
    for index in sorted(range(len(boxes)), key=lambda i: boxes[i][0]):
        for chain in chains:
            if neighbours(boxes[chain[-1]], boxes[index]):
                chain.append(index)
                break
        else:
            chains.append([index])
    numbers = []
    for chain in sorted(chains, key=lambda c: (boxes[c[0]][1], boxes[c[0]][0])):
        x0 = min(boxes[i][0] for i in chain)
        y0 = min(boxes[i][1] for i in chain)
        x1 = max(boxes[i][0] + boxes[i][2] for i in chain)
        y1 = max(boxes[i][1] + boxes[i][3] for i in chain)
        numbers.append(Number("".join(str(digits[i]) for i in chain), (x0, y0, x1 - x0, y1 - y0)))
    return numbers
