"""Frame in, detections out: detection, normalization and one batched model call."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .classify import NOT_A_DIGIT, DigitClassifier
from .detect import Regions, find_regions
from .detections import Detections
from .fragments import fragment_pairs, join_fragments, union_mask
from .normalize import normalize_masks
from .params import DetectionParams
from .reuse import ReadingMemory


class Recognizer:
    """Reads every handwritten digit in a frame.

    >>> recognizer = Recognizer()
    >>> detections = recognizer(frame)   # boxes, digits, confidences
    """

    def __init__(self, params: DetectionParams | None = None, model: str | Path | None = None):
        self.params = params or DetectionParams()
        self.classifier = DigitClassifier(model)
        self.memory = ReadingMemory()

    def __call__(self, frame: np.ndarray) -> Detections:
        return self.read_regions(frame)[0]

    def read_regions(self, frame: np.ndarray) -> tuple[Detections, Regions]:
        """The digits, and the candidate regions (with the binary mask) they were read from.

        Regions and pairs of nearby pieces that may be one broken digit go through the
        model together, in one batch.
        """
        regions = find_regions(frame, self.params)
        if not regions.masks:
            return Detections(), regions
        pairs = fragment_pairs(regions.boxes, self.params, frame.shape[0])
        unions = [union_mask(regions.boxes, regions.masks, i, j) for i, j in pairs]
        union_boxes = np.array([box for box, _ in unions], np.int32).reshape(-1, 4)
        probabilities = self.classify(np.concatenate([regions.boxes, union_boxes]),
                                      regions.masks + [mask for _, mask in unions])
        pieces = len(regions.masks)
        boxes, probabilities = join_fragments(regions.boxes, probabilities[:pieces], pairs, union_boxes,
                                              probabilities[pieces:], NOT_A_DIGIT, self.params.confidence)
        return self.read(boxes, probabilities), regions

    def classify(self, boxes: np.ndarray, masks: list[np.ndarray]) -> np.ndarray:
        """Class probabilities of each region; the model reads only the regions that
        changed since the last frame, all in one call."""
        return self.memory.classify(boxes, normalize_masks(masks), self.classifier)

    def read(self, boxes: np.ndarray, probabilities: np.ndarray) -> Detections:
        """Keep regions whose best class is a digit, confidently, and not a speck beside the others."""
        best = probabilities.argmax(axis=1)
        confidences = probabilities[np.arange(len(best)), best]
        keep = (best < NOT_A_DIGIT) & (confidences >= self.params.confidence)
        keep[keep] = ~specks(boxes[keep, 3])
        return Detections(boxes[keep].astype(np.int32), best[keep].astype(np.int32),
                          confidences[keep].astype(np.float32))


# A digit this much smaller than the typical large digit of its frame is a speck of dirt,
# paper grain or a pen mark, however confidently it reads.
SPECK_RATIO = 0.2


def specks(heights: np.ndarray) -> np.ndarray:
    """Heights far below the median of the taller half of the frame's digits."""
    if len(heights) < 2:
        return np.zeros(len(heights), bool)
    taller_half = np.sort(heights)[len(heights) // 2:]
    return heights < SPECK_RATIO * np.median(taller_half)
