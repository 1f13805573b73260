"""Where each missed digit was lost: `livedigit-eval --why`.

Each frame with a missed or misread true digit is read again from its source and followed
through the pipeline's stages with the same code and profile; the first stage that lost the
digit is named:

- outside the page: not wholly inside the paper found in view (or too near its edge);
- never inked by the threshold: hardly any of its pixels came out as ink;
- removed with a ruled line: inked, but most of its ink went with the page's lines;
- merged with a neighbour: its ink is part of a blob much larger than the digit (touching
  digits, a box, a line, a mark) that was not cut around it;
- split into pieces: its ink lies in several blobs, none of them most of the digit;
- filtered (too small, too tall, too wide, at the frame edge, encloses another blob,
  cluttered surroundings, grainy surroundings, too little ink, cut apart): its blob was
  left out by that filter, or cut where no cut belonged (taken for touching digits, an
  underline taken off);
- rejected as not-a-digit, or read with too little confidence: the model's verdict;
- misread: reported, or read by the model, as another digit;
- dropped as a speck, a slash, a letter of a word or a frame around a digit: read right,
  then dropped by that rule of the recognizer (judged among the frame's other regions);
- lost after reading: read right and kept by every rule, yet not reported there (pieces
  joined, tracking).
"""
from __future__ import annotations

from collections import Counter

import cv2
import numpy as np

from .classify import NOT_A_DIGIT, DigitClassifier
from .detect import Regions, SceneTracker, binarize, find_ink, page_in, regions_in, to_gray
from .detect.contours import (
    blob_outlines,
    contour_depths,
    digit_size_checks,
    encloses,
    has_ink_enough,
    is_narrow,
    on_clear_paper_around,
    sized_like_digits,
    without_enclosing,
)
from .detect.grain import too_grainy
from .detect.regions import ink_mask
from .detections import iou
from .normalize import normalize_grey
from .params import DetectionParams
from .recognize import dropped_readings, sizes_as_the_page_stands, word_letters

MIN_IOU = 0.3
# A digit's ink covers a tenth of its box or more; under this share of it, the threshold missed it.
NEVER_INKED = 0.02
# Where line removal took more than this share of a digit's ink, the lines took the digit.
TAKEN_BY_LINES = 0.5
# A blob this many times the digit's box (and holding most of it) is the digit merged with more.
MERGED_AREA = 2.0


class MissExplainer:
    """Names the stage that lost each missed digit of a frame."""

    def __init__(self, params: DetectionParams | None = None, model=None):
        self.params = params or DetectionParams()
        self.classifier = DigitClassifier(model)

    def explain(self, image: np.ndarray, missed: list[dict], reported: list[dict],
                scene: SceneTracker | None = None) -> list[str]:
        """The stage that lost each of `missed` (true digits: box, label), given what was
        reported; a video's frames, each in turn, with the `scene` that follows its page and
        lines through them as the run did (every frame, with missed digits or not)."""
        if not missed:
            if scene is not None:  # its page and lines followed through this frame too, no more
                gray = to_gray(image)
                find_ink(gray, self.params, scene, page_in(gray, self.params))
            return []
        frame = FrameStages(image, self.params, scene)
        regions = frame.regions
        readings = (self.classifier(normalize_grey(regions.gray, np.concatenate([regions.boxes, regions.context_boxes]),
                                                   regions.masks + regions.context_masks, regions.page))
                    if regions.masks else None)
        dropped_as = self._rules_that_drop(regions, readings) if readings is not None else []
        return [self._stage(frame, readings, dropped_as, np.array(digit["box"]), digit["label"], reported)
                for digit in missed]

    def _stage(self, frame: FrameStages, readings: np.ndarray | None, dropped_as: list[str | None],
               box: np.ndarray, label: int, reported: list[dict]) -> str:
        read_otherwise = [r["box"] for r in reported if r["digit"] != label]
        if read_otherwise and iou(box[None], np.array(read_otherwise)).max() >= MIN_IOU:
            return "misread"
        lost = frame.off_page(box) or frame.ink_lost(box)
        if lost:
            return lost
        region = frame.region_at(box)
        if region is None:
            return frame.blob_lost(box)
        read = int(readings[region].argmax())
        if read == NOT_A_DIGIT:
            return "rejected as not-a-digit"
        if readings[region, read] < self.params.confidence:
            return "read with too little confidence"
        return "misread" if read != label else dropped_as[region] or "lost after reading"

    def _rules_that_drop(self, regions: Regions, readings: np.ndarray) -> list[str | None]:
        """Per region, the first of the recognizer's rules that drops its reading, if one
        does; `readings` of the regions, then of the glyphs beside them read as context."""
        count = len(regions.masks)
        best, confidences = readings.argmax(axis=1), readings.max(axis=1)
        confident = (best[:count] < NOT_A_DIGIT) & (confidences[:count] >= self.params.confidence)
        sizes = sizes_as_the_page_stands(regions.boxes, regions.masks, confident & (best[:count] == 1), regions.page,
                                         regions.gray.shape)
        dropped = dropped_readings(regions.boxes, best[:count], confidences[:count], confident,
                                   regions.context_boxes, word_letters(best[count:], confidences[count:]), sizes)
        return [next((f"dropped as {rule}" for rule, rows in dropped.items() if rows[row]), None)
                for row in range(count)]


class FrameStages:
    """One frame taken through thresholding, line removal and contours, kept for inspection."""

    def __init__(self, image: np.ndarray, params: DetectionParams, scene: SceneTracker | None = None):
        gray = self.gray = to_gray(image)
        self.params = params
        ink, self.page = find_ink(gray, params, scene, page_in(gray, params))  # followed by a video's `scene`
        self.inked = binarize(gray, params, keep_lines=True, page=self.page)
        self.binary, self.contours, self.hierarchy = blob_outlines(ink, params)
        self.parents = self.hierarchy[0, :, 3] if self.contours else np.zeros(0, np.int32)
        self.boxes = np.array([cv2.boundingRect(c) for c in self.contours], np.int32).reshape(-1, 4)
        self.outlines = contour_depths(self.parents) % 2 == 0
        self.regions = regions_in(self.binary, params, self.page, gray)

    def off_page(self, box: np.ndarray) -> str | None:
        return "outside the page" if self.page and not self.page.holds(box[None])[0] else None

    def ink_lost(self, box: np.ndarray) -> str | None:
        x, y, w, h = box
        inked = cv2.countNonZero(self.inked[y:y + h, x:x + w])
        if inked < NEVER_INKED * w * h:
            return "never inked by the threshold"
        if cv2.countNonZero(self.binary[y:y + h, x:x + w]) < (1 - TAKEN_BY_LINES) * inked:
            return "removed with a ruled line"
        return None

    def blob_lost(self, box: np.ndarray) -> str:
        """For a digit no region was made of: the filter that left out its blob, or how its
        ink failed to be one blob of its own."""
        if not self.outlines.any():
            return "split into pieces"
        outline_boxes = np.where(self.outlines[:, None], self.boxes, 0)
        overlaps = iou(box[None], outline_boxes)[0]
        best = int(overlaps.argmax())
        if overlaps[best] >= MIN_IOU:
            return "filtered: " + self._failed_filter(best)
        holding = [i for i in np.flatnonzero(self.outlines) if covers(self.boxes[i], box)]
        if any(area(self.boxes[i]) >= MERGED_AREA * area(box) for i in holding):
            return "merged with a neighbour"
        return "split into pieces"

    def _failed_filter(self, index: int) -> str:
        shape = self.binary.shape
        for name, passed in digit_size_checks(self.boxes[index:index + 1], shape, self.params).items():
            if not passed[0]:
                return name
        candidates = self.outlines & sized_like_digits(self.boxes, shape, self.params)
        enclosing = encloses(candidates & is_narrow(self.boxes, self.params), self.parents)
        if enclosing[index]:
            return "encloses another blob"
        around = without_enclosing(self.binary, self.contours, self.hierarchy, enclosing)
        one_digit = candidates[index] & is_narrow(self.boxes[index:index + 1], self.params)
        if not on_clear_paper_around(around, self.contours, self.boxes, np.array([index]), self.page, one_digit)[0]:
            return "cluttered surroundings"
        if too_grainy(self.gray, self.binary, self.boxes[index:index + 1])[0]:
            return "grainy surroundings"
        mask = ink_mask(self.binary, self.contours[index], self.boxes[index])
        if not has_ink_enough(mask, self.boxes[index], self.params):
            return "too little ink"
        return "cut apart"  # passed every filter, yet was cut (as touching digits, or an underline taken off)

    def region_at(self, box: np.ndarray) -> int | None:
        """The index of the region that matches the box, if one does."""
        if not len(self.regions.boxes):
            return None
        overlaps = iou(box[None], self.regions.boxes)[0]
        best = int(overlaps.argmax())
        return best if overlaps[best] >= MIN_IOU else None


def area(box: np.ndarray) -> int:
    return int(box[2]) * int(box[3])


def covers(outer: np.ndarray, inner: np.ndarray, share: float = 0.7) -> bool:
    """Whether `outer` holds at least `share` of `inner`'s area."""
    x0, y0 = np.maximum(outer[:2], inner[:2])
    x1, y1 = np.minimum(outer[:2] + outer[2:], inner[:2] + inner[2:])
    return max(0, x1 - x0) * max(0, y1 - y0) >= share * area(inner)


def explain_misses(lines: list[dict], truth: dict, explainer: MissExplainer, source: str | None = None,
                   in_colour: bool = False) -> dict:
    """How many of the clip's missed and misread digits each stage lost, most first.

    The frames are read again from `source`, by default the source the JSONL names, as
    the run read them: grey from the video's luma, as a run that neither shows nor records
    them does, or `in_colour`, with the page and its lines followed from frame to frame as
    the run followed them (lines searched for afresh in each frame differ from those:
    squared paper's digits were put down as "lost after reading"). The two grey images
    differ by a level here and there, and where the page's outline is a near thing (a
    shadow's edge across a sheet), another page is found: the digits the run's page left
    out would be "lost after reading"."""
    from .evaluate import Score, match_frame, scored_digits
    from .sources import open_source

    reported_by_frame = {line["frame"]: line["detections"] for line in lines}
    items_by_frame = {frame["frame"]: frame["items"] for frame in truth["frames"]}
    stages: list[str] = []
    scene = SceneTracker()
    frames = open_source(source or lines[0]["source"], gray=not in_colour)
    try:
        for frame in frames:
            digits = scored_digits(items_by_frame.get(frame.index, []))
            reported = reported_by_frame.get(frame.index, [])
            read = match_frame(reported, digits, Score())
            missed = [digit for n, digit in enumerate(digits) if read.get(digit.get("id", n)) != digit["label"]]
            stages += explainer.explain(frame.image, missed, reported, scene)
    finally:
        frames.close()
    return dict(Counter(stages).most_common())
