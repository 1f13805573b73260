"""The ruled lines of a frame: long, thin runs of ink along a direction and the slants around it."""
from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from ..page import Page
from ..regions import ink_mask
from .fit import fitted_to_ink
from .geometry import Extent, Segment, crossing_inside, line_kernel, max_pooled, unit


def line_families(binary: np.ndarray, fewest: int, usual: float | None = None,
                  search: np.ndarray | None = None, page: Page | None = None) -> list[list[Segment]]:
    """The ruled lines of a direction and those across it (none where there are none).

    The page's lines show as long, sparse blobs, most of whose edges run along the lines:
    one direction on ruled paper, two on squared paper (slant_votes). Long thin runs of
    ink along a direction, or along the slants around it that perspective gives its
    lines, are line segments; collinear segments that together span much of the ink are
    a ruled line. Where either direction has `fewest` such lines, or lines that run
    across the whole frame (a grid of large squares seen close up) or across the whole
    `page` where one is found (a small sheet far off, a line or two on it), they are
    lines of the page, and so is any line of the other direction. The lines are looked
    for on a copy of the ink at most about LINE_SEARCH_WIDTH wide, and fitted to the ink
    at full size. `usual`: how thick the page's lines are at full size, where an earlier
    pass found them (see ruled_lines). `search`: the ink to look for them on, where not
    the ink they are fitted to.
    """
    factor = search_factor(binary)
    usual_on_copy = None if usual is None else (usual + factor - 1) / factor  # as Segment.enlarged, undone
    sheet = None if page is None else Sheet.of(page, factor)
    return [fitted_to_ink([line.enlarged(factor) for line in family], binary, (factor + 1, 1))
            for family in find_ruled_lines(max_pooled(binary if search is None else search, factor), fewest,
                                           usual_on_copy, sheet)]


def search_factor(binary: np.ndarray) -> int:
    """The whole factor the ink is shrunk by for the search: a line found on that copy
    may stray from the full-size ink by up to a cell."""
    return max(1, binary.shape[1] // LINE_SEARCH_WIDTH)


# Line segments are runs of ink at least twice this long (a twelfth of the frame's width
# where that is more), on the copy the lines are looked for on.
MIN_RUN = 20
# Lines are looked for on a copy of the ink shrunk by a whole factor to about this width:
# the search costs the factor squared less, and lines a pixel thin stay whole in it.
LINE_SEARCH_WIDTH = 640


def find_ruled_lines(binary: np.ndarray, fewest: int, usual: float | None = None,
                     sheet: Sheet | None = None) -> list[list[Segment]]:
    """The ruled lines in the ink (see remove_ruled_lines), a list for each direction."""
    frame_w = binary.shape[1]
    first_search = fewest > 1
    # Lines show as blobs a quarter of the frame's width long; in the first search, a
    # quarter of the ink's longer side where that is shorter: a page small in view, its
    # surroundings masked off, has lines as short. (Not where what earlier passes left is
    # looked at again: the strokes of large digits would pass.)
    long_blob = (min(frame_w, max(cv2.boundingRect(binary)[2:])) if first_search else frame_w) // 4
    if not may_hold_blobs_longer_than(binary, long_blob):
        return []
    long = [(box, pixels) for box, pixels in blobs_longer_than(binary, long_blob)
            if cv2.countNonZero(pixels) < 0.5 * box[2] * box[3]]
    if not long:
        return []
    long_ink = np.zeros_like(binary)
    for (x, y, w, h), pixels in long:
        long_ink[y:y + h, x:x + w] |= pixels
    run = max(frame_w // 12, MIN_RUN)
    thin = run / 4  # a line's thickness at most, but for one from edge to edge (ruled_lines)
    # a line spans much of the ink's extent, not the frame's: a page small in view, its
    # surroundings masked off, has lines as long against it as a page filling the frame
    ink_extent = Extent.around(binary)
    directions = line_directions(slant_votes(long_ink))
    segments: dict[int, list[Segment]] = {}  # each direction's, searched for once

    def lines_along(peak: int, fewest: int) -> list[Segment]:
        if peak not in segments:
            run_along = run
            if first_search:
                # the lines across a long, narrow page are no longer than it is wide: runs
                # half the part of the ink's extent that their runs must span together
                # (not where what earlier passes left is looked at again, any line there
                # taken for the page's: the strokes of digits and boxes would be)
                across_ink = ink_extent.length_through(*ink_extent.middle, *unit(peak))
                run_along = max(min(run, round(LINE_SPAN * across_ink / 2)), MIN_RUN)
            segments[peak] = segments_around(binary, peak, run_along, thickest=THICK_LINES * thin)
        return ruled_lines(segments[peak], ink_extent, binary.shape[::-1], fewest, thin, usual, sheet)

    families, passed_over = [], []
    for peak in directions:
        lines = lines_along(peak, fewest)
        if not lines:
            passed_over.append(peak)
            continue
        families.append(lines)
        # the paper is ruled: any line across these is the page's too, also along a
        # direction passed over (where edges of digits, or short lines, outvote them)
        if fewest > 1:
            fewest = 1
            families += [found for passed in passed_over if (found := lines_along(passed, fewest))]
    if not families and len(directions) == 2 and fewest > GRID_LINES:
        return grid_squares([lines_along(peak, GRID_LINES) for peak in directions], ink_extent)
    return families


# Where fewer lines of a direction than MIN_RULED_LINES are in view, this many of each of
# two directions that cross make a grid...
GRID_LINES = 2
# ... where the space between them is about the same both ways: squares, not a box drawn
# around a number.
SQUARENESS = 1.3


def grid_squares(families: list[list[Segment]], ink_extent: Extent) -> list[list[Segment]]:
    """The lines of two directions (`families`) where they are those of a few squares of a
    grid seen close up (or of a small page far off); else none."""
    if any(len(family) < GRID_LINES for family in families) \
            or not any(crossing_inside(a, b, ink_extent) for a in families[0] for b in families[1]):
        return []
    spacings = [np.min(np.diff(np.sort(across_through(family, ink_extent.middle)))) for family in families]
    return families if max(spacings) <= SQUARENESS * min(spacings) else []


def across_through(family: list[Segment], point: tuple[float, float]) -> np.ndarray:
    """How far from `point` each line of a direction crosses the normal to its first line
    through it: the spaces between lines at the point, where perspective has turned them
    apart (their offsets from the origin would be apart as much as the origin is far)."""
    first = family[0]
    nx, ny = -first.dy, first.dx
    distances = []
    for line in family:
        # where point + t * normal meets the line: (point + t n - p0) x d = 0
        towards = (line.x0 - point[0]) * line.dy - (line.y0 - point[1]) * line.dx
        distances.append(towards / (nx * line.dy - ny * line.dx))
    return np.array(distances)


def segments_around(binary: np.ndarray, peak: int, run: int, thickest: float) -> list[Segment]:
    """The line segments at slants around `peak` degrees, that ruled lines are made of
    (ruled_lines): along the peak and SLANT_STEP either side of it, then a step further on
    each side for as long as the last step found a segment that slants on beyond it
    (lines seen in perspective converge, up to MAX_SPREAD degrees apart). Each slant's
    segments are found apart: runs along several slants would join a line to the
    straight strokes of large digits across it."""
    segments = line_segments(binary, peak, run, thickest)
    for side in (-1, 1):
        for step in range(1, MAX_SPREAD // SLANT_STEP + 1):
            slant = peak + side * step * SLANT_STEP
            found = line_segments(binary, slant, run, thickest)
            segments += found
            if not any(side * ((np.degrees(np.arctan2(s.dy, s.dx)) - slant + 90) % 180 - 90) >= 0 for s in found):
                break
    return segments


def line_segments(binary: np.ndarray, slant: float, run: int, thickest: float) -> list[Segment]:
    """Straight runs of ink at least twice `run` long and at most `thickest` thick, along
    `slant` degrees or up to a degree off it (where a run `run` long fits a line a pixel
    thick).

    A marker stroke may be straight and long, but it is thick.
    """
    runs = cv2.morphologyEx(binary, cv2.MORPH_OPEN, line_kernel(*unit(slant), run))
    found = []
    for (x, y, w, h), pixels in blobs_longer_than(runs, 2 * run):
        across = np.count_nonzero(pixels, axis=0 if w >= h else 1)
        thickness = float(np.median(across[across > 0]))  # strokes touching the line do not count
        if thickness <= thickest:
            dx, dy, x0, y0 = cv2.fitLine(cv2.findNonZero(pixels), cv2.DIST_L2, 0, 0.01, 0.01).ravel()
            x0, y0, length = x0 + x, y0 + y, abs(dx) * w + abs(dy) * h  # along its slant
            along = dx * x0 + dy * y0
            found.append(Segment(dx, dy, x0, y0, thickness, -dy * x0 + dx * y0, along - length / 2, along + length / 2))
    return found


def may_hold_blobs_longer_than(binary: np.ndarray, length: int) -> bool:
    """False when no blob can be `length` long: checked on a copy a quarter the size (max_pooled)."""
    coarse = max_pooled(binary, 4)
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


def slant_votes(ink: np.ndarray) -> np.ndarray:
    """For each direction in whole degrees (0-179, y down), how much of the ink's edges run
    along it, weighted by their strength and smoothed over a few degrees: a histogram of
    edge orientations, robust where a line fit through a grid, or a line with writing on
    it, is not."""
    smooth = cv2.GaussianBlur(ink, (7, 7), 0)  # a thin slanting line steps in pixels; blurred, it slants
    # the gradients at every other pixel of every other row: votes enough, a quarter of them to weigh
    gx = np.ascontiguousarray(cv2.Sobel(smooth, cv2.CV_32F, 1, 0)[::2, ::2])
    gy = np.ascontiguousarray(cv2.Sobel(smooth, cv2.CV_32F, 0, 1)[::2, ::2])
    strength, angle = cv2.cartToPolar(gx, gy, angleInDegrees=True)
    edges = strength > 0
    across = np.bincount(angle[edges].astype(int) % 180, weights=strength[edges], minlength=180)
    along = np.roll(across, 90)  # edges' gradients point across their lines
    return np.convolve(np.concatenate([along[-2:], along, along[:2]]), np.ones(5), mode="valid")


# Seen in perspective, the lines of one direction converge: they are looked for at slants
# this many degrees apart (a run of ink a pixel thick and a search run long fits a kernel
# up to a degree off its slant), up to MAX_SPREAD either side of their direction.
SLANT_STEP = 2
MAX_SPREAD = 15
# The second direction of a grid is at least this many degrees from the first, and its
# lines' edges have at least this fraction of the first's votes (on ruled paper, only
# the digits' strokes run across the lines: under a tenth).
GRID_ANGLE = 45
GRID_VOTES = 0.2


def line_directions(votes: np.ndarray) -> list[int]:
    """The direction most edges run along, then the strongest at least GRID_ANGLE from it
    where it has GRID_VOTES of the first's votes."""
    first = int(np.argmax(votes))
    apart = np.abs((np.arange(180) - first + 90) % 180 - 90) >= GRID_ANGLE
    second = int(np.flatnonzero(apart)[np.argmax(votes[apart])])
    return [first, second] if votes[second] >= GRID_VOTES * votes[first] else [first]


# Ruled paper shows several parallel lines; one or two long lines are more likely the
# sides of a box drawn around an answer, which must stay whole, unless they run across
# the whole frame, from edge to edge (WHOLE_SPAN of their way across it): ruled lines or
# a grid's seen close up, where one or two are all in view. A box's sides end in view;
# on a page found in view, they end on it, where its lines run across it.
MIN_RULED_LINES = 3
WHOLE_SPAN = 0.9
# Where there are that many, a line's runs span this much of its way across the ink.
LINE_SPAN = 0.4
# Lines up to this many times the thickness a line is allowed run from edge to edge: the
# lines of large squares seen close up are drawn thick against the frame, and thicker
# still where perspective brings them nearer.
THICK_LINES = 2
# A page's lines are printed alike. A line whose every run is more than this many times
# as thick as the page's usual line (and a pixel) is the side of boxes drawn in pen round
# numbers, in a row: erased from edge to edge, the boxes break into sides that crowd the
# digits in them, and followed into the next frame, it strays onto a digit's stroke. A
# line with only some runs that thick is a page's line with a marker's underline along it.
BOX_SIDE = 2


def ruled_lines(found: list[Segment], ink_extent: Extent, frame_size: tuple[int, int], fewest: int,
                thin: float, usual: float | None = None, sheet: Sheet | None = None) -> list[Segment]:
    """Lines made of collinear segments up to `thin` thick that together span LINE_SPAN of
    the ink's extent (how long their line runs inside it) and cross no longer one inside
    it, where there are `fewest` of them; else those spanning WHOLE_SPAN of their line
    across the frame, or the whole way across the `sheet` in view (Sheet.run_across).
    Thicker lines count only where they span the frame or the sheet so, away from the
    thin lines: a marker's straight stroke is as thick, and so is a printed word's edge
    along a thin line, but neither runs from edge to edge.

    A digit's thin straight stroke is long, but alone on its line. The flat side of a
    broad 0 holds straight runs along several slants, but they cross: the lines of a
    page, seen in perspective, meet far beyond it.

    Lines whose thinnest run is more than BOX_SIDE times as thick as `usual`, and a pixel,
    are left out (`usual`: the page's lines found by an earlier pass; else the median of
    these lines' thinnest runs, where there are MIN_RULED_LINES).
    """
    frame = Extent.of_box(0, 0, *frame_size)

    def across_frame(spanned: list[Spanned]) -> list[Spanned]:
        return [each for each in spanned if each.span >= WHOLE_SPAN * frame.length_inside(each.line)
                or (sheet is not None and sheet.run_across(each))]

    spanned = spanning_lines([segment for segment in found if segment.thickness <= thin], ink_extent)
    chosen = spanned if len(spanned) >= fewest else across_frame(spanned)
    if usual is None and len(chosen) >= MIN_RULED_LINES:
        usual = float(np.median([each.thinnest for each in chosen]))
    lines = [each.line for each in chosen if usual is None or each.thinnest <= BOX_SIDE * usual + 1]
    thick = across_frame(spanning_lines([segment for segment in found if segment.thickness > thin], ink_extent))
    return lines + [each.line for each in thick
                    if all(abs(each.line.offset - other.offset) > each.line.thickness for other in lines)]


class Sheet(NamedTuple):
    """The page found in view, as the search sees it on its copy of the ink shrunk by a
    whole factor: the paper's extent there, and the page's reading area (on the page's
    own small copy, `cell` of the search's pixels a pixel)."""

    extent: Extent
    reading_area: np.ndarray
    cell: float

    @classmethod
    def of(cls, page: Page, factor: int) -> Sheet:
        """The `page` on the search's copy of the ink, shrunk by `factor`."""
        return cls(Extent.of_outline(page.corners / factor), page.reading_area, page.factor / factor)

    def run_across(self, spanned: Spanned) -> bool:
        """Whether the line spans its whole way across the sheet, to within a pixel of the
        page's small copy (as far as its outline is known), through the middle of the
        page's reading area. A box drawn round a number across most of a sheet ends short
        of its edges; the page's own edge, and the shadow along it, run across it too, but
        on its rim."""
        line = spanned.line
        enters, leaves = self.extent.span_through(line.x0, line.y0, line.dx, line.dy)
        if leaves <= enters or spanned.span < leaves - enters - self.cell:
            return False
        halfway = (enters + leaves) / 2
        x, y = line.x0 + halfway * line.dx, line.y0 + halfway * line.dy
        rows, columns = self.reading_area.shape
        row, column = int(np.clip(y / self.cell, 0, rows - 1)), int(np.clip(x / self.cell, 0, columns - 1))
        return self.reading_area[row, column] > 0


class Spanned(NamedTuple):
    """A line that collinear segments make: their span along it, and how thick the
    thinnest of them is (the line is as thick as the thickest, to be erased whole)."""
    span: float
    line: Segment
    thinnest: float


def spanning_lines(found: list[Segment], ink_extent: Extent) -> list[Spanned]:
    """The lines that collinear segments make, where their span is LINE_SPAN of the ink's
    extent along it, longest first, less those that cross a longer one inside the extent."""
    lines, used = [], set()
    for i, segment in enumerate(found):
        if i in used:
            continue
        group = [other for j, other in enumerate(found)
                 if j not in used and abs(other.offset - segment.offset) <= 2 * segment.thickness + 2
                 and abs(other.dx * segment.dx + other.dy * segment.dy) > 0.999]
        used.update(j for j, other in enumerate(found) if other in group)
        span = max(s.end for s in group) - min(s.start for s in group)
        if span >= LINE_SPAN * ink_extent.length_inside(segment):
            longest = max(group, key=lambda s: s.end - s.start)  # its slant strays least across the frame
            thicknesses = [s.thickness for s in group]
            lines.append(Spanned(span, longest._replace(thickness=round(max(thicknesses))), round(min(thicknesses))))
    return apart(sorted(lines, key=lambda spanned: -spanned.span), ink_extent)


def apart(lines: list[Spanned], extent: Extent) -> list[Spanned]:
    """The lines, longest first, less each that crosses a longer one inside the extent."""
    kept: list[Spanned] = []
    for each in lines:
        if not any(crossing_inside(each.line, other.line, extent) for other in kept):
            kept.append(each)
    return kept
