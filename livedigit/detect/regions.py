"""The candidate digits a frame holds, as the detection steps hand them on."""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np


@dataclass(frozen=True)
class Regions:
    """Candidate digits in a frame: boxes (N, 4) x, y, w, h and each one's ink mask."""

    boxes: np.ndarray
    masks: list[np.ndarray]
    frame_height: int
    # The thresholded frame the regions were cut from (ink = 255), shown while tuning; left
    # out where regions found in another process are sent to the main one.
    binary: np.ndarray | None = None
    # Index pairs of regions cut from one blob a little wider than a digit: two touching
    # digits, or one wide digit (a broad 0) that should stay whole.
    cuts: list[tuple[int, int]] = field(default_factory=list)
    # Strokes too small to be digits (the flag of a 5, the base of a 2 parted from it by a
    # ruled line): boxes and ink, to be read only together with a region beside them.
    stroke_boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.int32))
    stroke_masks: list[np.ndarray] = field(default_factory=list)
    # Each mask's ink signature (reuse.signatures), where the finding process had the time
    # to compute it for the main process; None where the main process computes it.
    signatures: np.ndarray | None = None
    # The paper's corners (4, 2), clockwise from top-left, where a page was found in view.
    page: np.ndarray | None = None
    # Glyphs beside the regions that the clutter filter dropped, boxes and ink: letters of
    # a printed word set close together crowd each other's surroundings. They are read
    # only to tell whether a region beside them stands in a word.
    context_boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.int32))
    context_masks: list[np.ndarray] = field(default_factory=list)
    # The grey frame the regions were found in: the model reads the ink's grey levels on
    # each mask. Left out where the finding process sends regions (the main one holds the frame).
    gray: np.ndarray | None = None

    def __reduce__(self):
        """Pickled with all masks' pixels in one buffer, each mask the size of its box:
        a fifth of the time of pickling them one by one (what the finding process sends)."""
        return _unpickle_regions, (self.boxes, joined(self.masks), self.frame_height, self.binary, self.cuts,
                                   self.stroke_boxes, joined(self.stroke_masks), self.signatures, self.page,
                                   self.context_boxes, joined(self.context_masks), self.gray)


def joined(masks: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([mask.ravel() for mask in masks]) if masks else np.zeros(0, np.uint8)


def split_by_boxes(pixels: np.ndarray, boxes: np.ndarray) -> list[np.ndarray]:
    """The masks `joined` put in one buffer, given their x, y, w, h boxes."""
    sizes = (boxes[:, 2] * boxes[:, 3]).tolist()
    ends = np.cumsum(sizes).tolist()
    return [pixels[end - size:end].reshape(h, w) for end, size, (w, h) in zip(ends, sizes, boxes[:, 2:].tolist())]


def _unpickle_regions(boxes, pixels, frame_height, binary, cuts, stroke_boxes, stroke_pixels, signatures,
                      page, context_boxes, context_pixels, gray) -> Regions:
    return Regions(boxes, split_by_boxes(pixels, boxes), frame_height, binary, cuts, stroke_boxes,
                   split_by_boxes(stroke_pixels, stroke_boxes), signatures, page,
                   context_boxes, split_by_boxes(context_pixels, context_boxes), gray)


def ink_mask(binary: np.ndarray, contour: np.ndarray, box: np.ndarray) -> np.ndarray:
    """The ink of one outline (holes stay open), cut to its box, without neighbours' ink."""
    x, y, w, h = box
    inside = np.zeros((h, w), np.uint8)
    cv2.drawContours(inside, [contour], 0, 255, cv2.FILLED, offset=(-int(x), -int(y)))
    return cv2.bitwise_and(inside, binary[y:y + h, x:x + w])


def blobs_reaching(ink: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """The blobs of `ink` (255 on 0, 8-connected) that hold a non-zero pixel of `seeds` (uint8)."""
    blobs = Blobs(ink)
    return blobs.mask(blobs.reaching(seeds))


class Blobs:
    """The 8-connected blobs of some ink, labelled once to be picked by what they reach."""

    def __init__(self, ink: np.ndarray) -> None:
        self.count, labels = cv2.connectedComponents(ink, connectivity=8)
        # At most 256 blobs, as on most pages: OpenCV's 8-bit histogram and lookup, 3x faster than numpy's indexing.
        self.labels = labels.astype(np.uint8) if self.count <= 256 else labels

    def reaching(self, seeds: np.ndarray) -> np.ndarray:
        """For each blob, whether it holds a non-zero pixel of `seeds` (uint8); never the background."""
        if self.labels.dtype == np.uint8:
            reached = cv2.calcHist([self.labels], [0], seeds, [256], [0, 256]).ravel()[:self.count] > 0
        else:
            reached = np.zeros(self.count, bool)
            reached[self.labels[seeds > 0]] = True
        reached[0] = False
        return reached

    def mask(self, chosen: np.ndarray) -> np.ndarray:
        """The chosen blobs (a flag for each), 255 on 0."""
        if self.labels.dtype == np.uint8:
            table = np.zeros(256, np.uint8)
            table[:self.count] = np.where(chosen, 255, 0)
            return cv2.LUT(self.labels, table)
        return looked_up(np.where(chosen, 255, 0).astype(np.uint8), self.labels)


def looked_up(table: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """table[labels], a band of rows at a time: np.take widens the labels to 64 bits first,
    all at once 16 MB more at 1920x1080, kept as the process's peak (ahead.keep_freed_memory).
    A band at a time is as fast."""
    found = np.empty(labels.shape, table.dtype)
    for top in range(0, len(labels), LOOKUP_ROWS):
        np.take(table, labels[top:top + LOOKUP_ROWS], out=found[top:top + LOOKUP_ROWS])
    return found


LOOKUP_ROWS = 128
