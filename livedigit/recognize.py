"""Frame in, detections out: detection, normalization and one batched model call."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .classify import NOT_A_DIGIT, DigitClassifier
from .detect import Regions, find_regions
from .detections import Detections
from .fragments import Pair, fragment_pairs, join_fragments, union_mask
from .params import DetectionParams
from .reuse import ReadingMemory


@dataclass(frozen=True)
class Candidates:
    """What the model reads in a frame: its regions, then the unions of pairs of regions
    that may be pieces of one broken digit, each as a box and an ink mask."""

    boxes: np.ndarray
    masks: list[np.ndarray]
    pairs: list[Pair]  # indices into the regions, then into the strokes beside them
    pieces: int        # the first `pieces` rows are the regions


class Recognizer:
    """Reads every handwritten digit in a frame.

    >>> recognizer = Recognizer()
    >>> detections = recognizer(frame)   # boxes, digits, confidences

    The steps are public so that a pipeline can run them on separate threads (`find` is
    stateless, `read` remembers the last frame) and a benchmark can time them.
    """

    def __init__(self, params: DetectionParams | None = None, model: str | Path | None = None):
        self.params = params or DetectionParams()
        self.classifier = DigitClassifier(model)
        self.memory = ReadingMemory()

    def __call__(self, frame: np.ndarray) -> Detections:
        return self.read(self.find(frame))

    def read_regions(self, frame: np.ndarray) -> tuple[Detections, Regions]:
        """The digits, and the candidate regions (with the binary mask) they were read from."""
        regions = self.find(frame)
        return self.read(regions), regions

    def find(self, frame: np.ndarray) -> Regions:
        return find_regions(frame, self.params)

    def read(self, regions: Regions) -> Detections:
        """The digits among the regions; regions and possible broken-digit pairs go through
        the model together, in one batch."""
        if not regions.masks:
            return Detections()
        candidates = self.candidates(regions)
        return self.decide(candidates, self.classify(candidates))

    def candidates(self, regions: Regions) -> Candidates:
        pieces = len(regions.masks)
        boxes = np.concatenate([regions.boxes, regions.stroke_boxes])
        masks = regions.masks + regions.stroke_masks
        cuts = set(regions.cuts)
        pairs = [Pair(i, j, "cut") for i, j in regions.cuts]
        pairs += [Pair(i, j, "apart" if j < pieces else "stroke")
                  for i, j in fragment_pairs(boxes, self.params, regions.binary.shape[0])
                  if i < pieces and (i, j) not in cuts]
        unions = [union_mask(boxes, masks, i, j) for i, j, _ in pairs]
        union_boxes = np.array([box for box, _ in unions], np.int32).reshape(-1, 4)
        return Candidates(np.concatenate([regions.boxes, union_boxes]),
                          regions.masks + [mask for _, mask in unions], pairs, pieces)

    def classify(self, candidates: Candidates) -> np.ndarray:
        """Class probabilities of each candidate; only the regions that changed since the
        last frame are normalized and read by the model, all in one call."""
        return self.memory.read(candidates.boxes, candidates.masks, self.classifier)

    def decide(self, candidates: Candidates, probabilities: np.ndarray) -> Detections:
        """Keep pieces or their unions, whichever reads better; then the confident digits
        that are not specks beside the others."""
        pieces = candidates.pieces
        boxes, probabilities = join_fragments(candidates.boxes[:pieces], probabilities[:pieces], candidates.pairs,
                                              candidates.boxes[pieces:], probabilities[pieces:], NOT_A_DIGIT,
                                              self.params.confidence)
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
