"""Reuse the last frame's classifications for regions that still look the same.

From one video frame to the next most digits only move a little, with the page or the
camera. Normalized crops are centred and scaled, so a digit that only moved gives
nearly the same crop and can keep the reading it got; the model runs only on regions
that are new or whose ink changed.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .detections import iou

# A region overlapping one of the last frame's this much may be the same region.
MIN_OVERLAP = 0.5
# A reading this confident (digit or not) is reused while its crop changes a little: a
# near-certain reading survives a small change, a borderline one is reused only unchanged.
MIN_CONFIDENCE = 0.98
# Mean absolute difference of two crops (pixels in 0..1) up to which they read alike.
# On generated camera clips the same digit changes by 0.02-0.03 from frame to frame,
# two different digits differ by 0.065 or more (1st percentile). With these two limits
# 85 % of the regions of a moving-camera clip are reused, and 0.2 % of them read
# differently from a fresh classification.
MAX_CROP_CHANGE = 0.06


class ReadingMemory:
    """The regions of the last frame: boxes, the crops the model read, and its readings."""

    def __init__(self, max_change: float = MAX_CROP_CHANGE):
        self.max_change = max_change
        self.boxes = np.zeros((0, 4), np.int32)
        self.crops = np.zeros((0, 28, 28), np.float32)
        self.probabilities = np.zeros((0, 0), np.float32)

    def recall(self, boxes: np.ndarray, crops: np.ndarray) -> np.ndarray:
        """For each region, the index of the remembered region it matches, or -1."""
        if not len(self.boxes) or not len(boxes):
            return np.full(len(boxes), -1)
        overlaps = iou(boxes, self.boxes)
        nearest = overlaps.argmax(axis=1)
        change = np.abs(crops - self.crops[nearest]).mean(axis=(1, 2))
        confident = self.probabilities[nearest].max(axis=1) >= MIN_CONFIDENCE
        alike = ((overlaps[np.arange(len(boxes)), nearest] >= MIN_OVERLAP)
                 & ((change == 0) | (confident & (change <= self.max_change))))
        return np.where(alike, nearest, -1)

    def classify(self, boxes: np.ndarray, crops: np.ndarray,
                 classifier: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """Class probabilities of each crop: remembered where the region looks as it did,
        from one classifier call for the rest."""
        matches = self.recall(boxes, crops)
        fresh = matches < 0
        probabilities = np.empty((len(crops), classifier.num_classes), np.float32)
        if fresh.any():
            probabilities[fresh] = classifier(crops[fresh])
        if not fresh.all():
            probabilities[~fresh] = self.probabilities[matches[~fresh]]
            # A reused region keeps the crop that was read, so slow changes add up until it is read again.
            crops = crops.copy()
            crops[~fresh] = self.crops[matches[~fresh]]
        self.boxes, self.crops, self.probabilities = boxes, crops, probabilities
        return probabilities
