"""Outlines of ink blobs, and the filters that keep those sized and placed like digits."""
from __future__ import annotations

import cv2
import numpy as np

from ..numbers import neighbours
from ..params import DetectionParams
from ..upright import page_turns, turning, upright_extent
from .frames import without_drawn_frames
from .grain import too_grainy
from .page import Page
from .regions import Regions, ink_mask
from .split import MAX_TOUCHING, split_touching, without_underline


def contour_depths(parents: np.ndarray) -> np.ndarray:
    """Nesting depth of each contour in a RETR_TREE hierarchy: even = ink outline, odd = hole."""
    depths = np.zeros(len(parents), np.int32)
    ancestors = parents.copy()
    while (alive := ancestors >= 0).any():
        depths[alive] += 1
        ancestors[alive] = parents[ancestors[alive]]
    return depths


def regions_in(binary: np.ndarray, params: DetectionParams, page: Page | None = None,
               gray: np.ndarray | None = None) -> Regions:
    """Outlines of ink blobs sized like digits, minus holes and frames drawn around digits,
    and, where a page was found, those not wholly inside it; blobs as wide as several
    digits are split between them. `gray` is the grey frame the ink was found in: where
    given, blobs that stand out of their surroundings by little more than those vary (the
    grain of wood, plaster or cloth, see grain) are left out too."""
    corners = page.corners if page else None
    binary, contours, hierarchy = blob_outlines(binary, params)
    if not contours:
        return Regions(np.zeros((0, 4), np.int32), [], binary.shape[0], binary, page=corners, gray=gray)
    parents = hierarchy[0, :, 3]
    boxes = np.array([cv2.boundingRect(c) for c in contours], np.int32).reshape(-1, 4)
    outlines = contour_depths(parents) % 2 == 0
    candidates = outlines & sized_like_digits(boxes, binary.shape, params)
    narrow = is_narrow(boxes, params)
    enclosing = encloses(candidates & narrow, parents)
    candidates &= ~enclosing
    strokes = outlines & sized_like_strokes(boxes, binary.shape, params)
    if page:
        on_page = page.holds(boxes)
        candidates &= on_page
        strokes &= on_page
    on_clear_paper = candidates | strokes
    around = without_enclosing(binary, contours, hierarchy, enclosing)
    judged = np.flatnonzero(on_clear_paper)
    on_clear_paper[judged] = on_clear_paper_around(around, contours, boxes, judged, page, (candidates & narrow)[judged])
    cluttered = np.flatnonzero(candidates & narrow & ~on_clear_paper)
    candidates &= on_clear_paper
    strokes &= on_clear_paper
    if gray is not None:  # a stroke too: two may be read together as a digit
        smooth = candidates | strokes
        smooth[smooth] = ~too_grainy(gray, binary, boxes[smooth])
        candidates &= smooth
        strokes &= smooth
    strokes = np.flatnonzero(strokes)
    kept_boxes, masks, cuts = [], [], []
    box_list = boxes.tolist()  # plain ints: this loop runs per candidate, numpy scalars are slow
    narrow_list = narrow.tolist()
    for index in np.flatnonzero(candidates).tolist():
        box = box_list[index]
        blob = ink_mask(binary, contours[index], box)
        if narrow_list[index]:  # one digit, as most blobs are: nothing to take off or cut
            if has_ink_enough(blob, box, params):
                kept_boxes.append(box)
                masks.append(blob)
            continue
        for piece_box, piece in without_underline(blob, box, params):
            parts = [(part_box, mask) for part_box, mask in split_touching(piece, piece_box, params)
                     if part_box[3] >= params.min_height and has_ink_enough(mask, part_box, params)]
            if len(parts) == 2:
                cuts.append((len(masks), len(masks) + 1))
            kept_boxes.extend(part_box for part_box, _ in parts)
            masks.extend(mask for _, mask in parts)
    kept = np.array(kept_boxes, np.int32).reshape(-1, 4)
    context = cluttered[beside_any(boxes[cluttered], kept)]
    return Regions(kept, masks, binary.shape[0], binary, cuts, boxes[strokes],
                   [ink_mask(binary, contours[index], boxes[index]) for index in strokes], page=corners,
                   context_boxes=boxes[context],
                   context_masks=[ink_mask(binary, contours[index], boxes[index]) for index in context], gray=gray)


# Glyphs dropped as cluttered are handed on beside the regions up to this fraction of
# their height away on their line: as far as the recognizer looks for the letters of a
# word (recognize.BETWEEN_LETTERS_GAP).
CONTEXT_GAP = 0.2


def beside_any(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Which x, y, w, h boxes stand just left or right of one of the `others` on its line."""
    if not len(boxes) or not len(others):
        return np.zeros(len(boxes), bool)
    beside = neighbours(np.concatenate([boxes, others]), CONTEXT_GAP)
    count = len(boxes)
    return beside[:count, count:].any(axis=1) | beside[count:, :count].any(axis=0)


def blob_outlines(binary: np.ndarray, params: DetectionParams) -> tuple[np.ndarray, tuple, np.ndarray | None]:
    """The ink with boxes drawn around numbers taken off (frames), and the outlines of its
    blobs and their holes (OpenCV's contours and RETR_TREE hierarchy)."""
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if contours and (unframed := without_drawn_frames(binary, contours, hierarchy, params.min_height)) is not None:
        binary = unframed
        contours, hierarchy = cv2.findContours(binary, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    return binary, contours, hierarchy


def has_ink_enough(mask: np.ndarray, box, params: DetectionParams) -> bool:
    return cv2.countNonZero(mask) >= params.min_fill * box[2] * box[3]


# A digit is written on clear paper: around its box (a quarter of its height wide) at
# most this fraction is ink. Patterned wallpaper, fabric and wood grain are busier.
MAX_CLUTTER = 0.15


def without_enclosing(binary: np.ndarray, contours: tuple, hierarchy: np.ndarray,
                      enclosing: np.ndarray) -> np.ndarray:
    """The ink less the `enclosing` outlines (those whose hole holds a candidate: a box or
    ring drawn tight around a number lies in the ring that `clutter` looks at, and is no
    clutter)."""
    if not enclosing.any():
        return binary
    drawn = np.zeros_like(binary)
    for index in np.flatnonzero(enclosing).tolist():  # each outline with its holes left open
        cv2.drawContours(drawn, contours, index, 255, cv2.FILLED, hierarchy=hierarchy, maxLevel=1)
    return binary & ~drawn


def on_clear_paper_around(ink: np.ndarray, contours: tuple, boxes: np.ndarray, indices: np.ndarray,
                          page: Page | None, digits: np.ndarray) -> np.ndarray:
    """Which of the blobs (`indices` into the outlines and their x, y, w, h boxes) lie on
    clear paper: at most MAX_CLUTTER of the ring around each box, a quarter of its height
    wide, is ink. Where the page in view is turned at a blob that is one digit's (`digits`,
    for each of them), that is judged as the page stands (upright_clutter): a number's row
    seen turned runs across the frame's rows, and the upright box of each of its digits
    takes in the corners of its neighbours. (A blob as wide as several digits is cut
    between them along the frame's columns: it is judged as the frame shows it.)"""
    clear = clutter(ink, boxes[indices]) <= MAX_CLUTTER
    if page is None or (clear | ~digits).all():
        return clear
    cluttered = np.flatnonzero(~clear & digits)
    turns = page_turns(page.corners, ink.shape, boxes[indices[cluttered]])
    for row, turn, turns_it in zip(cluttered.tolist(), turns, turning(turns)):
        if turns_it:
            clear[row] = upright_clutter(ink, contours[indices[row]], turn) <= MAX_CLUTTER
    return clear


def upright_clutter(ink: np.ndarray, contour: np.ndarray, turn: np.ndarray) -> float:
    """Fraction of ink in the ring around a blob's box as the page stands (its outline
    mapped by the 2x2 `turn`, see upright.page_turns), a quarter of that box's height wide."""
    (left, top), (right, bottom) = upright_extent(contour, turn)
    margin = round((bottom - top + 1) / 4)
    to_frame = np.linalg.inv(turn).T

    def rectangle(left: float, top: float, right: float, bottom: float) -> np.ndarray:
        return np.array([[left, top], [right, top], [right, bottom], [left, bottom]]) @ to_frame

    outer = rectangle(left - margin, top - margin, right + margin, bottom + margin)
    x0, y0 = np.maximum(np.floor(outer.min(axis=0)).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(outer.max(axis=0)).astype(int) + 1, ink.shape[::-1])
    ring = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillConvexPoly(ring, np.round(outer - (x0, y0)).astype(np.int32), 255)
    cv2.fillConvexPoly(ring, np.round(rectangle(left, top, right, bottom) - (x0, y0)).astype(np.int32), 0)
    return cv2.countNonZero(ink[y0:y1, x0:x1] & ring) / max(cv2.countNonZero(ring), 1)


def clutter(binary: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Fraction of ink in the ring around each box, a quarter of the box's height wide."""
    ink = cv2.integral(binary)  # sums of 255 per inked pixel
    height, width = binary.shape
    x, y, w, h = boxes.T.astype(np.int64)
    margin = np.round(h / 4).astype(np.int64)
    x0, y0 = np.maximum(x - margin, 0), np.maximum(y - margin, 0)
    x1, y1 = np.minimum(x + w + margin, width), np.minimum(y + h + margin, height)

    def ink_in(left, top, right, bottom):
        return ink[bottom, right] - ink[top, right] - ink[bottom, left] + ink[top, left]

    ring = ink_in(x0, y0, x1, y1) - ink_in(x, y, x + w, y + h)
    return ring / 255 / np.maximum((x1 - x0) * (y1 - y0) - w * h, 1)


def is_narrow(boxes: np.ndarray, params: DetectionParams) -> np.ndarray:
    return boxes[:, 2] <= params.max_aspect * boxes[:, 3]


def sized_like_digits(boxes: np.ndarray, shape: tuple[int, int], params: DetectionParams) -> np.ndarray:
    """Height within limits, at most a few digits wide, clear of the frame edge (a cut digit misleads)."""
    return np.logical_and.reduce(list(digit_size_checks(boxes, shape, params).values()))


def digit_size_checks(boxes: np.ndarray, shape: tuple[int, int], params: DetectionParams) -> dict[str, np.ndarray]:
    """Each check of sized_like_digits by the name of what fails it."""
    w, h = boxes[:, 2], boxes[:, 3]
    return {"too small": h >= params.min_height, "too tall": h <= params.max_height * shape[0] / 100,
            "too wide": w <= MAX_TOUCHING * params.max_aspect * h,
            "at the frame edge": clear_of_frame_edge(boxes, shape)}


def sized_like_strokes(boxes: np.ndarray, shape: tuple[int, int], params: DetectionParams) -> np.ndarray:
    """Lower than a digit, but at least half a digit's minimum height long; clear of the frame edge."""
    w, h = boxes[:, 2], boxes[:, 3]
    return ((h < params.min_height) & (np.maximum(w, h) >= params.min_height // 2)
            & (w <= params.max_height * shape[0] / 100) & clear_of_frame_edge(boxes, shape))


def clear_of_frame_edge(boxes: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Boxes that touch no edge of the frame: a digit the frame cuts would mislead."""
    x, y, w, h = boxes.T
    frame_h, frame_w = shape
    return (x > 0) & (y > 0) & (x + w < frame_w) & (y + h < frame_h)


def encloses(candidates: np.ndarray, parents: np.ndarray) -> np.ndarray:
    """Outlines whose hole holds a candidate: boxes and circles drawn around an answer."""
    holes = parents[candidates]
    holes = holes[holes >= 0]
    enclosing = np.zeros(len(parents), bool)
    enclosing[parents[holes]] = True
    return enclosing
