"""Reuse the last frame's readings for regions that still look the same.

From one video frame to the next most digits only move a little, with the page or the
camera. A region whose ink, shrunk to a small signature, looks as it did keeps the
reading it got; only new regions and those whose ink changed are normalized and go
through the model. The last frame's regions are looked for where the camera's move took
them (tracking.camera_shift): a hand-held camera's
shake moves a small digit by half its height from one frame to the next.
"""
from __future__ import annotations

from typing import Protocol

import numpy as np

from .detections import iou
from .normalize import fit_into_box, normalize_grey
from .tracking import camera_shift


class Classifier(Protocol):
    num_classes: int

    def __call__(self, crops: np.ndarray) -> np.ndarray: ...

# Ink is compared as a signature: the mask shrunk to this many cells a side, which
# ignores the pixel noise of a moving camera and keeps the digit's shape.
SIGNATURE_SIZE = 8
# A region overlapping one of the last frame's this much, and no more than this much
# wider or higher or narrower or lower, may be the same region (a digit joined to a
# stroke beside it is another region, though it overlaps the digit).
MIN_OVERLAP = 0.5
MAX_GROWTH = 1.25
# A reading this confident (digit or not) is reused while its ink changes a little: a
# near-certain reading survives a small change; a borderline one only the same pixels.
MIN_CONFIDENCE = 0.98
# Mean absolute difference of two signatures (cells in 0..1) up to which they read alike.
# On generated moving-camera clips 83 % of the regions are reused this way (71 % on ruled
# paper), and F1 is the same as, or a little above, reading every region afresh.
MAX_CHANGE = 0.1
# A digit read afresh this many times in a row, the same each time, may change more before
# it is read again: a moving camera's sub-pixel steps change signatures by up to 0.15, and
# a digit just read once (a different digit put in its place) still has to stay within
# MAX_CHANGE. A third fewer crops go through the model on moving-camera clips (a quarter
# on ruled paper); F1 on 200-frame clips of every preset is the same, or 0.0001 above.
CONFIRMING_READS = 3
MAX_CHANGE_CONFIRMED = 0.15


def signatures(masks: list[np.ndarray]) -> np.ndarray:
    """Each binary mask shrunk, keeping its aspect ratio, into the middle of
    SIGNATURE_SIZE x SIGNATURE_SIZE cells in 0..1."""
    fields = np.zeros((len(masks), SIGNATURE_SIZE, SIGNATURE_SIZE), np.uint8)
    for mask, field in zip(masks, fields):
        small = fit_into_box(mask, SIGNATURE_SIZE)
        top, left = (SIGNATURE_SIZE - small.shape[0]) // 2, (SIGNATURE_SIZE - small.shape[1]) // 2
        field[top:top + small.shape[0], left:left + small.shape[1]] = small
    return fields.astype(np.float32) / 255


class ReadingMemory:
    """The regions of the last frame: boxes, masks, the signatures of the ink that was read,
    the readings, and how many fresh readings in a row gave each region's digit."""

    def __init__(self):
        self.boxes = np.zeros((0, 4), np.int32)
        self.masks: list[np.ndarray] = []
        self.signatures = np.zeros((0, SIGNATURE_SIZE, SIGNATURE_SIZE), np.float32)
        self.probabilities = np.zeros((0, 0), np.float32)
        self.reads_alike = np.zeros(0, np.int32)

    def recall(self, boxes: np.ndarray, masks: list[np.ndarray],
               signatures: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each region, the index of the remembered region it matches, or -1: the
        same pixels in the same place, or (read confidently) nearly the same ink where the
        camera's move took the remembered region.
        Also the remembered region in its place whatever its ink (or -1), the one whose
        reading a fresh reading confirms or not."""
        if not len(self.boxes) or not len(boxes):
            return np.full(len(boxes), -1), np.full(len(boxes), -1)
        moved = np.zeros(4, self.boxes.dtype)  # where no boxes vote for a move, none
        if (shift := camera_shift(self.boxes, boxes)) is not None:
            moved[:2] = np.round(shift)
        overlaps = iou(boxes, self.boxes + moved)
        nearest = overlaps.argmax(axis=1)
        change = np.abs(signatures - self.signatures[nearest]).mean(axis=(1, 2))
        confident = self.probabilities[nearest].max(axis=1) >= MIN_CONFIDENCE
        same_place = (boxes == self.boxes[nearest]).all(axis=1)
        unchanged = np.array([same and np.array_equal(mask, self.masks[n])
                              for same, mask, n in zip(same_place, masks, nearest)], bool)
        sizes = boxes[:, 2:] / np.maximum(self.boxes[nearest, 2:], 1)
        similar_size = ((sizes >= 1 / MAX_GROWTH) & (sizes <= MAX_GROWTH)).all(axis=1)
        in_place = (overlaps[np.arange(len(boxes)), nearest] >= MIN_OVERLAP) & similar_size
        limit = np.where(self.reads_alike[nearest] >= CONFIRMING_READS, MAX_CHANGE_CONFIRMED, MAX_CHANGE)
        alike = in_place & confident & (change <= limit)
        return np.where(unchanged | alike, nearest, -1), np.where(in_place, nearest, -1)

    def read(self, boxes: np.ndarray, masks: list[np.ndarray], gray: np.ndarray, classifier: Classifier,
             ink_signatures: np.ndarray | None = None, page: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities of each region of the grey frame: remembered where its ink
        looks as it did; for the rest, normalized crops of the grey ink on their masks
        (turned upright by the `page`'s corners where one was found) through one classifier
        call. The masks' `ink_signatures` are computed here unless given."""
        seen = signatures(masks) if ink_signatures is None else ink_signatures.copy()
        matches, predecessors = self.recall(boxes, masks, seen)
        fresh = matches < 0
        probabilities = np.empty((len(masks), classifier.num_classes), np.float32)
        if fresh.any():
            fresh_masks = [mask for mask, new in zip(masks, fresh) if new]
            probabilities[fresh] = classifier(normalize_grey(gray, boxes[fresh], fresh_masks, page))
        if not fresh.all():
            probabilities[~fresh] = self.probabilities[matches[~fresh]]
            # A reused region keeps the signature of the ink that was read, so slow
            # changes add up until it is read again.
            seen[~fresh] = self.signatures[matches[~fresh]]
        self.reads_alike = self._reads_alike(fresh, matches, predecessors, probabilities)
        self.boxes, self.masks, self.signatures, self.probabilities = boxes, masks, seen, probabilities
        return probabilities

    def _reads_alike(self, fresh: np.ndarray, matches: np.ndarray, predecessors: np.ndarray,
                     probabilities: np.ndarray) -> np.ndarray:
        """Fresh readings in a row that gave each region's digit: one more than its
        predecessor's where this fresh reading agrees with it, the match's where reused."""
        counts = np.ones(len(fresh), np.int32)
        agree = fresh & (predecessors >= 0)
        if agree.any():
            agree[agree] = probabilities[agree].argmax(axis=1) == self.probabilities[predecessors[agree]].argmax(axis=1)
            counts[agree] = self.reads_alike[predecessors[agree]] + 1
        counts[~fresh] = self.reads_alike[matches[~fresh]]
        return counts
