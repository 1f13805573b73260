"""Find candidate digit regions: threshold, light morphology, contours, filters."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import cv2
import numpy as np

from .params import DetectionParams


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

    def __reduce__(self):
        """Pickled with all masks' pixels in one buffer, each mask the size of its box:
        a fifth of the time of pickling them one by one (what the finding process sends)."""
        return _unpickle_regions, (self.boxes, joined(self.masks), self.frame_height, self.binary, self.cuts,
                                   self.stroke_boxes, joined(self.stroke_masks), self.signatures)


def joined(masks: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([mask.ravel() for mask in masks]) if masks else np.zeros(0, np.uint8)


def split_by_boxes(pixels: np.ndarray, boxes: np.ndarray) -> list[np.ndarray]:
    """The masks `joined` put in one buffer, given their x, y, w, h boxes."""
    sizes = (boxes[:, 2] * boxes[:, 3]).tolist()
    ends = np.cumsum(sizes).tolist()
    return [pixels[end - size:end].reshape(h, w) for end, size, (w, h) in zip(ends, sizes, boxes[:, 2:].tolist())]


def _unpickle_regions(boxes, pixels, frame_height, binary, cuts, stroke_boxes, stroke_pixels, signatures) -> Regions:
    return Regions(boxes, split_by_boxes(pixels, boxes), frame_height, binary, cuts, stroke_boxes,
                   split_by_boxes(stroke_pixels, stroke_boxes), signatures)


def to_gray(frame: np.ndarray) -> np.ndarray:
    """8-bit grayscale from a grayscale, BGR or BGRA frame of any bit depth."""
    if frame.dtype != np.uint8:
        frame = cv2.normalize(frame, None, 0, 255, cv2.NORM_MINMAX, dtype=cv2.CV_8U)
    if frame.ndim == 2:
        return frame
    if frame.shape[2] == 1:
        return frame[:, :, 0]
    code = cv2.COLOR_BGRA2GRAY if frame.shape[2] == 4 else cv2.COLOR_BGR2GRAY
    return cv2.cvtColor(frame, code)


def binarize(gray: np.ndarray, params: DetectionParams, keep_lines: bool = False) -> np.ndarray:
    """Ink as 255 on 0, by the profile's threshold method, with ruled lines removed (unless
    `keep_lines`: `livedigit-eval --why` compares the two)."""
    remove_lines = (lambda binary: binary) if keep_lines else remove_ruled_lines
    if params.blur > 1:
        gray = cv2.GaussianBlur(gray, (params.blur, params.blur), 0)
    if params.threshold == "background":
        paper, off_page = paper_brightness(gray, params.window)
        darkness = cv2.subtract(paper, gray)
        binary = hysteresis(darkness, params.c, round(STRONG_INK * params.c))
        if off_page is not None:
            binary &= ~off_page
        binary = remove_lines(binary) & stroke_cores(darkness)
    else:
        if params.threshold == "otsu":
            _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
        else:
            binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                           params.block_size, params.c)
        binary = remove_lines(binary)
    if params.morph_kernel > 1:
        kernel = np.ones((params.morph_kernel, params.morph_kernel), np.uint8)
        binary = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, kernel)
    return binary


# The paper's brightness is estimated on a copy of the frame at least this many pixels on its
# shorter side, shrunk by a whole-number factor.
BACKGROUND_SIDE = 96
# Where the estimate is darker than this fraction of the brightest paper, there is no paper.
OFF_PAGE = 0.4


def paper_brightness(gray: np.ndarray, window_percent: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The brightness the paper would have under each pixel without ink, and where the
    frame shows no paper at all (a dark table, wall or door around the page), or None
    where it shows paper throughout.

    A median over a wide window (a percentage of the frame) ignores strokes of any width
    and keeps the sharp edges of shadows; it runs on a small copy of the frame. Around
    the page the estimate blurs across the page's edge, which would make a thin false
    stroke there: the off-page mask reaches over that seam.
    """
    h, w = gray.shape
    factor = max(1, min(h, w) // BACKGROUND_SIDE)
    # A whole-number factor lets OpenCV average plain blocks (7x faster at 1280x720); the
    # few rows and columns beyond the last whole block are left out of the estimate.
    small_w, small_h = w // factor, h // factor
    small = cv2.resize(gray[:small_h * factor, :small_w * factor], (small_w, small_h), interpolation=cv2.INTER_AREA)
    window = max(3, round(min(small.shape) * window_percent / 100) | 1)
    background = cv2.medianBlur(small, min(window, 255))
    brightest_paper = np.searchsorted(np.cumsum(np.bincount(background.ravel(), minlength=256)),
                                      0.9 * background.size)  # the 90th percentile, from a histogram
    paper = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    off_page = (background < OFF_PAGE * brightest_paper).astype(np.uint8) * 255
    if not off_page.any():
        return paper, None
    off_page = cv2.dilate(off_page, np.ones((3, 3), np.uint8))
    return paper, cv2.resize(off_page, (w, h), interpolation=cv2.INTER_NEAREST)


# Ink blobs must be this many times darker than the threshold somewhere: paper grain and
# soft shadow edges pass the threshold in places, but are never that dark.
STRONG_INK = 2


def stroke_cores(darkness: np.ndarray) -> np.ndarray:
    """Pixels at least half as dark as the darkest ink beside them: each stroke at its
    width at half depth, without the halo that lens and motion blur add around it (a
    halo fills the small loops of 2, 3 and 8 and joins neighbouring digits)."""
    half_depth = cv2.dilate(darkness, np.ones((5, 5), np.uint8))
    np.right_shift(half_depth, 1, out=half_depth)
    return cv2.compare(darkness, half_depth, cv2.CMP_GT)


def hysteresis(darkness: np.ndarray, weak: int, strong: int) -> np.ndarray:
    """Pixels darker than `weak` that are connected to a pixel darker than `strong`."""
    _, candidates = cv2.threshold(darkness, weak, 255, cv2.THRESH_BINARY)
    count, labels = cv2.connectedComponents(candidates, connectivity=8)
    keep = np.zeros(count, np.uint8)
    keep[labels[darkness > strong]] = 255
    keep[0] = 0
    return look_up(keep, labels)


def look_up(table: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """table[labels] for a uint8 table: OpenCV's 8-bit lookup (3x faster than numpy's)
    when there are at most 256 labels, as on most pages."""
    if len(table) <= 256:
        return cv2.LUT(labels.astype(np.uint8), np.pad(table, (0, 256 - len(table))))
    return np.take(table, labels)


def remove_ruled_lines(binary: np.ndarray) -> np.ndarray:
    """Erase ruled and grid lines and mend the digit strokes that crossed them.

    The page's lines show as long, sparse blobs; the longest gives their direction. Long
    thin runs of ink along that direction are line segments; collinear segments that
    together span much of the frame are a ruled line. Three or more such lines are
    erased from edge to edge (so also where they pass between and through digits), and
    strokes cut by them are joined again.
    """
    frame_h, frame_w = binary.shape
    if not may_hold_blobs_longer_than(binary, frame_w // 4):
        return binary
    long = [(box, pixels) for box, pixels in blobs_longer_than(binary, frame_w // 4)
            if cv2.countNonZero(pixels) < 0.5 * box[2] * box[3]]
    if not long:
        return binary
    _, pixels = max(long, key=lambda blob: max(blob[0][2:]))
    vx, vy = line_direction(cv2.findNonZero(pixels))
    run = max(frame_w // 12, 20)
    segments = cv2.morphologyEx(binary, cv2.MORPH_OPEN, line_kernel(vx, vy, run))
    lines = ruled_lines(segments, run, frame_extent=abs(vx) * frame_w + abs(vy) * frame_h)
    if len(lines) < MIN_RULED_LINES:
        return binary
    thickness = max(line.thickness for line in lines)
    band = np.zeros_like(binary)
    reach = frame_w + frame_h
    for line in lines:
        cv2.line(band, (round(line.x0 - line.dx * reach), round(line.y0 - line.dy * reach)),
                 (round(line.x0 + line.dx * reach), round(line.y0 + line.dy * reach)), 255, thickness + 2)
    kept = binary & ~band
    return kept | strokes_across(kept, band, -vy, vx, thickness + 3)


def may_hold_blobs_longer_than(binary: np.ndarray, length: int) -> bool:
    """False when no blob can be `length` long: checked on a copy a quarter the size, in
    which any ink in a 4x4 cell inks the cell, so blobs stay connected and only join."""
    h, w = binary.shape
    cells = cv2.dilate(binary, np.ones((4, 4), np.uint8), anchor=(0, 0))  # ink anywhere in the cell
    coarse = cv2.resize(cells, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_NEAREST)
    contours, _ = cv2.findContours(coarse, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    cells_long = length // 4 - 1
    # An outline `cells_long` cells long goes there and back, one cell a step: most are
    # too short to be measured at all.
    return any(len(contour) >= 2 * (cells_long - 1) and max(cv2.boundingRect(contour)[2:]) >= cells_long
               for contour in contours)


def blobs_longer_than(binary: np.ndarray, length: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Boxes and ink of the blobs whose box is at least `length` long.

    Outer contours and their boxes are found in a fraction of the time that a full
    connected-components labelling with statistics takes.
    """
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    boxes = [np.array(cv2.boundingRect(contour)) for contour in contours]
    return [(box, ink_mask(binary, contour, box))
            for contour, box in zip(contours, boxes) if max(box[2:]) >= length]


def line_direction(points: np.ndarray) -> tuple[float, float]:
    """Direction of the line through most of `points`, ignoring strokes that hang off it.

    A least-squares fit, then again on the points near that first line: as robust as
    OpenCV's Huber fit here, and a hundred times faster on a line of thousands of pixels.
    """
    vx, vy, x0, y0 = cv2.fitLine(points, cv2.DIST_L2, 0, 0.01, 0.01).ravel()
    xy = points.reshape(-1, 2).astype(np.float32)
    distance = np.abs((xy[:, 1] - y0) * vx - (xy[:, 0] - x0) * vy)
    near = xy[distance <= max(2.0, 2 * float(np.median(distance)))]
    vx, vy, _, _ = cv2.fitLine(near, cv2.DIST_L2, 0, 0.01, 0.01).ravel()
    return float(vx), float(vy)


class Segment(NamedTuple):
    """A thin straight run of ink: its direction, a point on it, and where it lies along it."""

    dx: float
    dy: float
    x0: float
    y0: float
    thickness: float
    offset: float    # signed distance of its line from the origin
    start: float     # extent along the direction
    end: float


# Ruled paper shows several parallel lines; one or two long lines are more likely the
# sides of a box drawn around an answer, which must stay whole.
MIN_RULED_LINES = 3


def ruled_lines(segments: np.ndarray, run: int, frame_extent: float) -> list[Segment]:
    """Lines made of thin collinear segments that together span 40 % of the frame.

    A marker stroke may be straight and long, but it is thick; a digit's thin straight
    stroke is long, but alone on its line.
    """
    found = []
    for (x, y, w, h), pixels in blobs_longer_than(segments, 2 * run):
        length = max(w, h)
        across = np.count_nonzero(pixels, axis=0 if w >= h else 1)
        thickness = float(np.median(across[across > 0]))  # strokes touching the line do not count
        if thickness <= run / 4:
            dx, dy, x0, y0 = cv2.fitLine(cv2.findNonZero(pixels),
                                         cv2.DIST_L2, 0, 0.01, 0.01).ravel()
            x0, y0 = x0 + x, y0 + y
            along = dx * x0 + dy * y0
            found.append(Segment(dx, dy, x0, y0, thickness, -dy * x0 + dx * y0, along - length / 2, along + length / 2))
    lines, used = [], set()
    for i, segment in enumerate(found):
        if i in used:
            continue
        group = [other for j, other in enumerate(found)
                 if j not in used and abs(other.offset - segment.offset) <= 2 * segment.thickness + 2
                 and abs(other.dx * segment.dx + other.dy * segment.dy) > 0.999]
        used.update(j for j, other in enumerate(found) if other in group)
        span = max(s.end for s in group) - min(s.start for s in group)
        if span >= 0.4 * frame_extent:
            lines.append(segment._replace(thickness=round(max(s.thickness for s in group))))
    return lines


def line_kernel(vx: float, vy: float, length: int) -> np.ndarray:
    """A one-pixel line of `length` along direction (vx, vy), as a morphology kernel."""
    half = length // 2
    kernel = np.zeros((2 * half + 1, 2 * half + 1), np.uint8)
    cv2.line(kernel, (round(half - vx * half), round(half - vy * half)),
             (round(half + vx * half), round(half + vy * half)), 1, 1)
    return kernel


def strokes_across(ink: np.ndarray, band: np.ndarray, nx: float, ny: float, reach: int) -> np.ndarray:
    """The band's pixels with ink on both sides of it along the normal (nx, ny): strokes that crossed."""
    size = 2 * reach + 1
    ahead = np.zeros((size, size), np.uint8)
    cv2.line(ahead, (reach, reach), (round(reach + nx * reach), round(reach + ny * reach)), 1, 3)
    behind = ahead[::-1, ::-1].copy()
    return band & cv2.dilate(ink, ahead) & cv2.dilate(ink, behind)


def contour_depths(parents: np.ndarray) -> np.ndarray:
    """Nesting depth of each contour in a RETR_TREE hierarchy: even = ink outline, odd = hole."""
    depths = np.zeros(len(parents), np.int32)
    ancestors = parents.copy()
    while (alive := ancestors >= 0).any():
        depths[alive] += 1
        ancestors[alive] = parents[ancestors[alive]]
    return depths


def find_regions(frame: np.ndarray, params: DetectionParams) -> Regions:
    """Candidate digits of a frame of any shape or depth."""
    return regions_in(binarize(to_gray(frame), params), params)


def regions_in(binary: np.ndarray, params: DetectionParams) -> Regions:
    """Outlines of ink blobs sized like digits, minus holes and frames drawn around digits;
    blobs as wide as several digits are split between them."""
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return Regions(np.zeros((0, 4), np.int32), [], binary.shape[0], binary)
    parents = hierarchy[0, :, 3]
    boxes = np.array([cv2.boundingRect(c) for c in contours], np.int32).reshape(-1, 4)
    outlines = contour_depths(parents) % 2 == 0
    candidates = outlines & sized_like_digits(boxes, binary.shape, params)
    narrow = is_narrow(boxes, params)
    candidates &= ~encloses(candidates & narrow, parents)
    strokes = outlines & sized_like_strokes(boxes, binary.shape, params)
    on_clear_paper = candidates | strokes
    on_clear_paper[on_clear_paper] = clutter(binary, boxes[on_clear_paper]) <= MAX_CLUTTER
    candidates &= on_clear_paper
    strokes = np.flatnonzero(strokes & on_clear_paper)
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
    return Regions(np.array(kept_boxes, np.int32).reshape(-1, 4), masks, binary.shape[0], binary, cuts, boxes[strokes],
                   [ink_mask(binary, contours[index], boxes[index]) for index in strokes])


def has_ink_enough(mask: np.ndarray, box, params: DetectionParams) -> bool:
    return cv2.countNonZero(mask) >= params.min_fill * box[2] * box[3]


# A digit is written on clear paper: around its box (a quarter of its height wide) at
# most this fraction is ink. Patterned wallpaper, fabric and wood grain are busier.
MAX_CLUTTER = 0.15


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


# Blobs up to this many times wider than a digit may be touching digits; wider ones are not.
MAX_TOUCHING = 4


def is_narrow(boxes: np.ndarray, params: DetectionParams) -> np.ndarray:
    return boxes[:, 2] <= params.max_aspect * boxes[:, 3]


def sized_like_digits(boxes: np.ndarray, shape: tuple[int, int], params: DetectionParams) -> np.ndarray:
    """Height within limits, at most a few digits wide, clear of the frame edge (a cut digit misleads)."""
    return np.logical_and.reduce(list(digit_size_checks(boxes, shape, params).values()))


def digit_size_checks(boxes: np.ndarray, shape: tuple[int, int], params: DetectionParams) -> dict[str, np.ndarray]:
    """Each check of sized_like_digits by the name of what fails it."""
    x, y, w, h = boxes.T
    frame_h, frame_w = shape
    return {"too small": h >= params.min_height, "too tall": h <= params.max_height * frame_h / 100,
            "too wide": w <= MAX_TOUCHING * params.max_aspect * h,
            "at the frame edge": (x > 0) & (y > 0) & (x + w < frame_w) & (y + h < frame_h)}


def sized_like_strokes(boxes: np.ndarray, shape: tuple[int, int], params: DetectionParams) -> np.ndarray:
    """Lower than a digit, but at least half a digit's minimum height long; clear of the frame edge."""
    x, y, w, h = boxes.T
    frame_h, frame_w = shape
    return ((h < params.min_height) & (np.maximum(w, h) >= params.min_height // 2)
            & (w <= params.max_height * frame_h / 100)
            & (x > 0) & (y > 0) & (x + w < frame_w) & (y + h < frame_h))


# An underline is tilted at most this much, in degrees, by the hand or the camera.
UNDERLINE_TILTS = (-8, -4, 0, 4, 8)


def without_underline(mask: np.ndarray, box: np.ndarray,
                      params: DetectionParams) -> list[tuple[np.ndarray, np.ndarray]]:
    """A blob wider than a digit, less the thin straight stroke it may stand on (an underline),
    as the pieces that remain. A straight run twice as long as the blob is high, in its
    lower third, is no digit's stroke; one thicker than a fifth of that height is a marker
    stroke, kept."""
    h, w = mask.shape
    run = 2 * h
    if w <= params.max_aspect * h or run >= w:
        return [(box, mask)]
    straight = max((cv2.morphologyEx(mask, cv2.MORPH_OPEN,
                                     line_kernel(np.cos(np.deg2rad(a)), np.sin(np.deg2rad(a)), run))
                    for a in UNDERLINE_TILTS), key=np.count_nonzero)
    across = np.count_nonzero(straight, axis=0)
    rows = np.flatnonzero(straight.any(axis=1))
    if (not across.any() or np.median(across[across > 0]) > h / 5
            or rows.mean() < 2 * h / 3):  # an underline is under the digits
        return [(box, mask)]
    rest = mask & ~cv2.dilate(straight, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(rest)
    return [(np.array([box[0] + x, box[1] + y, pw, ph], np.int32),
             np.where(labels[y:y + ph, x:x + pw] == label, 255, 0).astype(np.uint8))
            for label, (x, y, pw, ph, _) in enumerate(stats) if label > 0]


def split_touching(mask: np.ndarray, box: np.ndarray, params: DetectionParams) -> list[tuple[np.ndarray, np.ndarray]]:
    """A blob wider than one digit, cut at the thinnest ink columns into digit-wide pieces."""
    h, w = mask.shape
    if w <= params.max_aspect * h:
        return [(box, mask)]
    parts = int(np.clip(round(w / (0.75 * h)), 2, MAX_TOUCHING + 1))
    ink_per_column = np.convolve(np.count_nonzero(mask, axis=0), np.ones(3), mode="same")
    reach = w // (3 * parts)
    cuts = [0]
    for i in range(1, parts):
        centre = i * w // parts
        cuts.append(centre - reach + int(np.argmin(ink_per_column[centre - reach:centre + reach + 1])))
    cuts.append(w)
    pieces = []
    for left, right in zip(cuts[:-1], cuts[1:]):
        piece = mask[:, left:right]
        ys, xs = np.nonzero(piece)
        if len(ys):
            top, bottom, first, last = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
            piece_box = np.array([box[0] + left + first, box[1] + top, last - first, bottom - top], np.int32)
            pieces.append((piece_box, piece[top:bottom, first:last]))
    return pieces


def encloses(candidates: np.ndarray, parents: np.ndarray) -> np.ndarray:
    """Outlines whose hole holds a candidate: boxes and circles drawn around an answer."""
    holes = parents[candidates]
    holes = holes[holes >= 0]
    enclosing = np.zeros(len(parents), bool)
    enclosing[parents[holes]] = True
    return enclosing


def ink_mask(binary: np.ndarray, contour: np.ndarray, box: np.ndarray) -> np.ndarray:
    """The ink of one outline (holes stay open), cut to its box, without neighbours' ink."""
    x, y, w, h = box
    inside = np.zeros((h, w), np.uint8)
    cv2.drawContours(inside, [contour], 0, 255, cv2.FILLED, offset=(-int(x), -int(y)))
    return cv2.bitwise_and(inside, binary[y:y + h, x:x + w])
