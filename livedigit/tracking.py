"""Follow digits across video frames, so labels do not flicker.

When the camera moves, the whole page moves: the tracker estimates that shift from
frame to frame (constant velocity, corrected by the median move of each digit to its
nearest neighbour) and carries every track along. Detections are then matched to
tracks by overlap. A track's label is the confidence-weighted vote of its last
observations and its box a running average, so a digit read 7, 7, 1, 7 stays a 7.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from .detections import Detections, iou


@dataclass(eq=False)
class Track:
    id: int
    box: np.ndarray      # x, y, w, h averaged over recent frames (float)
    last: np.ndarray     # x, y, w, h where it was last seen, carried along with the page
    votes: deque         # (digit, confidence) of recent frames
    missed: int = 0

    def move(self, shift: np.ndarray) -> None:
        self.box[:2] += shift
        self.last[:2] += shift

    def observe(self, box: np.ndarray, digit: int, confidence: float, smoothing: float) -> None:
        self.box = smoothing * self.box + (1 - smoothing) * box
        self.last = box.copy()
        self.votes.append((digit, confidence))
        self.missed = 0

    def label(self) -> tuple[int, float]:
        """The digit with the most confidence over recent frames, and its mean confidence."""
        totals, counts = np.zeros(10), np.zeros(10)
        for digit, confidence in self.votes:
            totals[digit] += confidence
            counts[digit] += 1
        digit = int(totals.argmax())
        return digit, float(totals[digit] / counts[digit])


def nearest_shift(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """The median move from each box of `after` back to its nearest box of `before`."""
    centres_before = before[:, :2] + before[:, 2:] / 2
    centres_after = after[:, :2] + after[:, 2:] / 2
    shifts = centres_after[:, None, :] - centres_before[None, :, :]
    nearest = np.argmin((shifts ** 2).sum(axis=2), axis=1)
    return np.median(shifts[np.arange(len(after)), nearest], axis=0)


class Tracker:
    def __init__(self, history: int = 8, min_iou: float = 0.3, max_missed: int = 5, smoothing: float = 0.4):
        self.history, self.min_iou, self.max_missed, self.smoothing = history, min_iou, max_missed, smoothing
        self.tracks: list[Track] = []
        self.velocity = np.zeros(2)
        self.next_id = 0

    def update(self, detections: Detections) -> Detections:
        """The same detections with track ids, smoothed labels, confidences and boxes."""
        boxes = detections.boxes.astype(np.float64)
        self._follow_camera(boxes)
        matches = self._match(boxes)
        observed = []
        for row, (box, digit, confidence) in enumerate(zip(boxes, detections.digits, detections.confidences)):
            track = matches.get(row) or self._start(box)
            track.observe(box, int(digit), float(confidence), self.smoothing)
            observed.append(track)
        seen = set(map(id, observed))
        for track in self.tracks:
            track.missed += id(track) not in seen
        self.tracks = [t for t in self.tracks if t.missed <= self.max_missed]
        labels = [track.label() for track in observed]
        return Detections(
            boxes=np.array([np.round(t.box) for t in observed], np.int32).reshape(-1, 4),
            digits=np.array([digit for digit, _ in labels], np.int32),
            confidences=np.array([confidence for _, confidence in labels], np.float32),
            tracks=np.array([t.id for t in observed], np.int32))

    def _follow_camera(self, boxes: np.ndarray) -> None:
        """Move every track by the page's estimated shift since the last frame."""
        recent = [t for t in self.tracks if t.missed == 0]
        if recent and len(boxes):
            predicted = np.array([t.last for t in recent])
            predicted[:, :2] += self.velocity
            self.velocity = self.velocity + nearest_shift(predicted, boxes)
        for track in self.tracks:
            track.move(self.velocity)

    def _match(self, boxes: np.ndarray) -> dict[int, Track]:
        """Detection row -> track, greedily by overlap."""
        if not len(boxes) or not self.tracks:
            return {}
        overlaps = iou(boxes, np.array([t.last for t in self.tracks]))
        matches, taken = {}, set()
        for row, column in sorted(zip(*np.nonzero(overlaps >= self.min_iou)), key=lambda rc: -overlaps[rc]):
            if row not in matches and column not in taken:
                matches[row] = self.tracks[column]
                taken.add(column)
        return matches

    def _start(self, box: np.ndarray) -> Track:
        track = Track(self.next_id, box.copy(), box.copy(), deque(maxlen=self.history))
        self.next_id += 1
        self.tracks.append(track)
        return track
