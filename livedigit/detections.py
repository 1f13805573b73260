"""The one data type that flows through the pipeline: the digits found in a frame."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def _ints(values=()) -> np.ndarray:
    return np.asarray(values, dtype=np.int32)


@dataclass(frozen=True)
class Detections:
    """Parallel arrays, one row per digit.

    boxes: (N, 4) int32 x, y, w, h in frame pixels; digits: (N,) int32 0-9;
    confidences: (N,) float32 0..1; tracks: (N,) int32 track ids, -1 when untracked.
    """

    boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.int32))
    digits: np.ndarray = field(default_factory=_ints)
    confidences: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    tracks: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.tracks is None:
            object.__setattr__(self, "tracks", np.full(len(self.digits), -1, np.int32))

    def __len__(self) -> int:
        return len(self.digits)

    def __getitem__(self, index) -> "Detections":
        """Select rows with a boolean mask, an index array or a slice."""
        return Detections(self.boxes[index], self.digits[index], self.confidences[index], self.tracks[index])

    def to_records(self) -> list[dict]:
        """Plain JSON-ready dicts: box, digit, confidence and, when tracked, track."""
        records = []
        # rounded as one column: round() on each value took nearly half the time of writing a JSONL line
        confidences = np.round(self.confidences.astype(np.float64), 4).tolist()
        for box, digit, confidence, track in zip(self.boxes.tolist(), self.digits.tolist(),
                                                 confidences, self.tracks.tolist()):
            record = {"box": box, "digit": digit, "confidence": confidence}
            if track >= 0:
                record["track"] = track
            records.append(record)
        return records


def iou(boxes_a: np.ndarray, boxes_b: np.ndarray) -> np.ndarray:
    """Pairwise intersection over union of x, y, w, h boxes: (len(a), len(b))."""
    ax, ay, aw, ah = (column[:, None] for column in boxes_a.T.astype(np.float64))
    bx, by, bw, bh = boxes_b.T.astype(np.float64)
    overlap_w = np.clip(np.minimum(ax + aw, bx + bw) - np.maximum(ax, bx), 0, None)
    overlap_h = np.clip(np.minimum(ay + ah, by + bh) - np.maximum(ay, by), 0, None)
    intersection = overlap_w * overlap_h
    return intersection / np.maximum(aw * ah + bw * bh - intersection, 1e-9)
