"""The page: the sheet, sticky note or whiteboard in view, where digits are read.

Paper is the bright, smooth region of a frame with a sharp edge around it. What lies
around it (a desk, a door, a plastered wall, hands) and its own edge are never digits:
ink is read only inside the paper, away from its border. Where the paper fills the
frame, or no sharp edge parts it from the rest, the whole frame is the page (None).
"""
from __future__ import annotations

from itertools import chain
from typing import Callable, Iterator

import cv2
import numpy as np

# The page is found on a copy of the frame about this many pixels on its shorter side.
PAGE_SIDE = 120
# A page covers at least this fraction of the frame: smaller bright patches (a lamp, a
# window, a label) are not the sheet being read.
MIN_PAGE_AREA = 0.01
# The paper just inside its edge is at least this much brighter than what lies just
# outside: a table, a door or a wall is darker than white paper by more than uneven
# light or a soft shadow changes the paper's brightness over a few pixels.
MIN_EDGE_CONTRAST = 1.18
# Along SHARP_OUTLINE of the paper's outline, a 3x3 neighbourhood spans at least this
# fraction of the rise from the surroundings to the paper there. A shadow's or a lamp's
# soft edge spreads the rise over many pixels; so does an outline cut across the paper by
# uneven light, where only part of it is the paper's true edge.
SHARP_EDGE = 0.45
SHARP_OUTLINE = 0.75
# A paper found with a soft step along more than a twentieth of its outline may be the
# lit part of a sheet that a shadow's edge crosses, its part in the shadow as dark as
# what surrounds the sheet: the region that sharp steps enclose around it is the paper
# instead, where it holds all but HELD_OUT of it and is GROWN times as large or more (a
# region about as large is the same paper, its outline grown over the steps), but at
# most OUTGROWN times (the shadow covers less of the sheet than the light does; a sheet
# in a lamp's glare, its edge soft beside the glare, lies in a region of the backdrop
# many times its size).
WHOLLY_SHARP = 0.95
HELD_OUT = 0.05
GROWN = 1.15
OUTGROWN = 2.0
# The rise at a point of the outline is measured from a band this far off it (and half as
# far), in pixels of the small copy at PAGE_SIDE: beyond a soft shadow's spread, near
# enough that a lamp's glare beside the paper's edge is as bright there as at the edge.
FAR_BAND = 12
# Where the rise at a point is less than this fraction of the paper's contrast with its
# surroundings all round, the outline there is no edge (glare as bright as the paper).
LOCAL_RISE = 0.25
# Where no brighter level shows a sheet, up to this many levels are tried within the
# brightest pixels, each within the last: a lamp's glare around a sheet is as bright as
# the paper's lower levels, and its blob takes the glare in with the sheet.
GLARE_LEVELS = 2
# Digits are read with their centres this far inside the paper's edge, in pixels of the
# small copy at PAGE_SIDE (a fortieth of the frame's shorter side), clear of the edge and
# its shadow: strokes along the edge are centred on it; a digit written near it is not.
BORDER = 3
# Notches up to this wide in the paper's outline, in pixels of the small copy at PAGE_SIDE,
# are closed: a digit written on the page's edge, or cut by the frame's, makes one.
NOTCH = 9
# The paper is found under a median this wide, in pixels of the small copy at PAGE_SIDE
# (a twenty-fourth of the frame's shorter side): strokes and thin lines vanish under it.
MEDIAN = 5


class Page:
    """The paper in a frame: its outline's corners, and masks on a small copy of the frame
    (`factor` frame pixels a pixel) of the paper and of the area inside it where digits are read."""

    def __init__(self, corners: np.ndarray, paper: np.ndarray, inner_paper: np.ndarray, reading_area: np.ndarray,
                 factor: int):
        self.corners = corners                # (4, 2) float32 frame pixels, clockwise from top-left
        self.paper = paper                    # uint8, 255 on the paper
        self.inner_paper = inner_paper        # uint8, 255 on the paper less its outline: boxes lie in it
        self.reading_area = reading_area      # uint8, 255 where the centres of digits lie
        self.factor = factor

    def ink_mask(self, shape: tuple[int, int]) -> np.ndarray:
        """The paper at frame size (255), 0 around it: ink beyond the paper is not ink."""
        return cv2.resize(self.paper, (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST)

    def holds(self, boxes: np.ndarray) -> np.ndarray:
        """Which x, y, w, h boxes lie wholly on the paper with their centre in the reading
        area: the paper's edge and the shadow along it make strokes along the edge, whose
        centres lie on it; a digit written near the edge has its centre further in."""
        def on(mask: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
            # boxes in the last few rows and columns beyond the small copy's whole blocks take its edge
            height, width = mask.shape
            return mask[np.minimum(ys // self.factor, height - 1), np.minimum(xs // self.factor, width - 1)] > 0

        left, top, right, bottom = boxes[:, 0], boxes[:, 1], boxes[:, 0] + boxes[:, 2], boxes[:, 1] + boxes[:, 3]
        corners_inside = (on(self.inner_paper, left, top) & on(self.inner_paper, right, top)
                          & on(self.inner_paper, left, bottom) & on(self.inner_paper, right, bottom))
        return corners_inside & on(self.reading_area, (left + right) // 2, (top + bottom) // 2)


# A page not found in a video frame (a hand over its edge, a flash of glare) is kept for
# this many frames.
HOLD_FRAMES = 3
# Pages that share at least this fraction of their paper (intersection over union) are the same.
SAME_PAGE = 0.5


class PageTracker:
    """The page through a video's frames: held over a few frames in which it is not found
    while its edge stays in view, or in which a page is found elsewhere that the next
    frame does not find again. (A small sheet in a lamp's glare on cloth: where its
    blurred edge failed in one frame, the sheet with the cloth around it was found, and
    the cloth's weave read as a hundred digits.)"""

    def __init__(self) -> None:
        self.page: Page | None = None
        self.missed = 0
        self.elsewhere: Page | None = None  # the page found elsewhere in the last frame

    def follow(self, found: Page | None, gray: np.ndarray) -> Page | None:
        """The page of this grey frame, given the one found in it."""
        if found is not None and self.page is not None and not same_page(found, self.page):
            found_again = self.elsewhere is not None and same_page(found, self.elsewhere)
            self.elsewhere = None if found_again else found
            if not found_again and self.missed < HOLD_FRAMES:
                self.missed += 1
                return self.page
        else:
            self.elsewhere = None
        if found is not None:
            self.page, self.missed = found, 0
        elif self.page is not None:
            self.missed += 1
            if self.missed > HOLD_FRAMES or not still_in_view(self.page, gray):
                self.page = None
        return self.page


def same_page(page: Page, other: Page) -> bool:
    """Whether two pages of frames of one size share SAME_PAGE of their paper."""
    paper, other_paper = page.paper > 0, other.paper > 0
    return np.count_nonzero(paper & other_paper) >= SAME_PAGE * np.count_nonzero(paper | other_paper)


def find_page(gray: np.ndarray) -> Page | None:
    """The paper in a grey frame, or None where it fills the frame or none stands out: the
    blob above a brightness level, or where none has a sharp edge, a region that sharp
    steps in brightness enclose."""
    smooth, scale, factor = smoothed_copy(gray)
    candidates = chain((largest_solid_blob(smooth > level) for level in brightness_levels(smooth)),
                       regions_within_edges(smooth, scale))
    judged = ((blob, sharp_share(smooth, blob, scale)) for blob in candidates if blob is not None)
    paper, share = next(((blob, share) for blob, share in judged if share >= SHARP_OUTLINE), (None, 0.0))
    if paper is None:
        return None
    sheet = sheet_lying_on(smooth, paper, scale)
    if sheet is not None:
        paper, share = sheet, sharp_share(smooth, sheet, scale)
    if share < WHOLLY_SHARP:
        paper = beyond_a_shadows_edge(smooth, paper, scale)
    # notches that ink cut into the paper's outline (a digit on the page's or the frame's
    # edge) are closed: that ink is the paper's, and the digits beside the notch are on it
    paper = cv2.morphologyEx(paper, cv2.MORPH_CLOSE, square(NOTCH * scale), borderType=cv2.BORDER_REPLICATE)
    # closed at its mouth, a notch wider inside (a thick stroke reaching the page's edge from
    # within) is a hole in the paper: filled, as ink on the paper is
    paper = largest_solid_blob(paper)
    # the frame's own edge is not the paper's
    inner_paper = cv2.erode(paper, square(3), borderType=cv2.BORDER_REPLICATE)
    reading_area = cv2.erode(paper, square(2 * BORDER * scale), borderType=cv2.BORDER_REPLICATE)
    return Page(outline_corners(paper) * factor, paper, inner_paper, reading_area, factor)


def sheet_lying_on(smooth: np.ndarray, surface: np.ndarray, scale: float) -> np.ndarray | None:
    """A sheet lying on the `surface` found for the paper (a plastered board or a desk
    lighter than the dark room around it, whose own edge is a sharp step): the largest
    region that sharp steps enclose within it, its outline a sharp step down to the
    surface nearly all along; None where there is none."""
    area = cv2.countNonZero(surface)
    within = (region for region in regions_within_edges(smooth, scale)
              if cv2.countNonZero(region) * GROWN <= area
              and cv2.countNonZero(region & ~surface) <= HELD_OUT * cv2.countNonZero(region))
    return next((region for region in sorted(within, key=cv2.countNonZero, reverse=True)
                 if has_sharp_edge(smooth, region, scale)), None)


def beyond_a_shadows_edge(smooth: np.ndarray, paper: np.ndarray, scale: float) -> np.ndarray:
    """For a paper whose outline is in part a soft step (see WHOLLY_SHARP), the larger
    region that sharp steps enclose around it (the sheet in and out of the shadow), or
    the paper where there is none.

    Where the shadow's soft edge crosses the sheet's own edge, its slope adds to the rise
    around that edge, which then looks soft: the region runs out there into what surrounds
    the sheet. The regions that steps judged along lines enclose (sharp_steps_along_lines)
    are looked at after."""
    area = cv2.countNonZero(paper)
    regions = chain(regions_within_edges(smooth, scale), regions_within_edges(smooth, scale, sharp_steps_along_lines))
    return next((region for region in regions
                 if GROWN * area <= cv2.countNonZero(region) <= OUTGROWN * area
                 and cv2.countNonZero(paper & ~region) <= HELD_OUT * area and has_sharp_edge(smooth, region, scale)),
                paper)


def still_in_view(page: Page, gray: np.ndarray) -> bool:
    """Whether a page found in an earlier frame of this size still shows its sharp edge in
    this one, where it was not found (a hand over part of that edge, glare on the paper).
    An outline that ran along a soft shadow across the paper does not: the paper was more."""
    smooth, scale, _ = smoothed_copy(gray)
    return has_sharp_edge(smooth, page.paper, scale)


def small_copy_factor(frame_shape: tuple[int, ...]) -> int:
    """How many frame pixels a pixel of the page's small copy spans each way: a whole number
    (OpenCV shrinks by plain block means, fast) that leaves about PAGE_SIDE on the shorter side."""
    return max(1, min(frame_shape[:2]) // PAGE_SIDE)


def smoothed_copy(gray: np.ndarray) -> tuple[np.ndarray, float, int]:
    """The frame shrunk by a whole factor to about PAGE_SIDE pixels on its shorter side,
    under a median that strokes and thin lines vanish under; its size against PAGE_SIDE;
    the factor."""
    h, w = gray.shape
    factor = small_copy_factor(gray.shape)
    small_w, small_h = w // factor, h // factor
    small = cv2.resize(gray[:small_h * factor, :small_w * factor], (small_w, small_h), interpolation=cv2.INTER_AREA)
    scale = min(small_w, small_h) / PAGE_SIDE
    return cv2.medianBlur(small, round(MEDIAN * scale) | 1), scale, factor


def square(size: float) -> np.ndarray:
    """A square kernel about `size` pixels wide, odd."""
    return np.ones((round(size) | 1, round(size) | 1), np.uint8)


# A step in brightness is an edge where it rises by this fraction of the brightness (and by
# MIN_STEP grey levels) within a pixel's 3x3 neighbourhood, and by at least SHARP_EDGE of
# the rise within a window this wide (in pixels of the small copy at PAGE_SIDE): the slope
# of a lamp's glare or of uneven light rises as much, but only over many pixels.
EDGE_STEP = 0.06
MIN_STEP = 4
EDGE_WINDOW = 9
# A region over this fraction of the frame is left to the brightness levels: paper that
# large fills the frame or stands out at a level, and a region so large is more often a
# page run out through a gap in its edge into what surrounds it.
MAX_REGION_AREA = 0.8


def sharp_steps(smooth: np.ndarray, scale: float) -> np.ndarray:
    """Where the brightness rises by EDGE_STEP (and MIN_STEP) within each pixel's 3x3
    neighbourhood, and by SHARP_EDGE of the rise within a square EDGE_WINDOW wide."""
    step = cv2.morphologyEx(smooth, cv2.MORPH_GRADIENT, square(3))
    window_step = cv2.morphologyEx(smooth, cv2.MORPH_GRADIENT, square(EDGE_WINDOW * scale))
    return (step >= least_step(smooth)) & (step >= SHARP_EDGE * window_step)


def sharp_steps_along_lines(smooth: np.ndarray, scale: float) -> np.ndarray:
    """sharp_steps judged along lines through each pixel (across, down and along both
    diagonals): where, along one of them, the rise within 3 pixels is SHARP_EDGE of the
    rise within EDGE_WINDOW. Along the line across the paper's edge, the slope of a
    shadow's soft edge that crosses it does not add to the rise, as it does within a
    square around the crossing. (Judged so, a page's thick grid lines and the lines of
    boxes are steps too, away from the ink that made their squares' rise large: this is
    for the sheet beyond a shadow's edge only.)"""
    least = least_step(smooth)
    sharp = np.zeros(smooth.shape, bool)
    for short, long in zip(line_kernels(3), line_kernels(round(EDGE_WINDOW * scale) | 1)):
        step = cv2.morphologyEx(smooth, cv2.MORPH_GRADIENT, short)
        sharp |= (step >= least) & (step >= SHARP_EDGE * cv2.morphologyEx(smooth, cv2.MORPH_GRADIENT, long))
    return sharp


def least_step(smooth: np.ndarray) -> np.ndarray:
    """The rise at each pixel that makes a step: EDGE_STEP of its brightness, MIN_STEP at least."""
    return np.maximum(MIN_STEP, EDGE_STEP * smooth.astype(np.float32))


def line_kernels(length: int) -> list[np.ndarray]:
    """Kernels of a line `length` pixels long (odd): across, down and along both diagonals."""
    diagonal = np.eye(length, dtype=np.uint8)
    return [np.ones((1, length), np.uint8), np.ones((length, 1), np.uint8), diagonal, diagonal[::-1].copy()]


def regions_within_edges(smooth: np.ndarray, scale: float,
                         steps: Callable[[np.ndarray, float], np.ndarray] = sharp_steps) -> Iterator[np.ndarray]:
    """The regions that sharp steps in brightness enclose (`steps`, by default
    sharp_steps), large enough to be the page and not near the whole frame, brightest
    first, each grown over the steps around it and with its holes filled.

    Where no one brightness shows the paper (under uneven light its far side is as dark as
    the pale surface it lies on; a lamp's glare around it is as bright as it), its edge is
    still a sharp step nearly all round."""
    edges = steps(smooth, scale)
    count, labels = cv2.connectedComponents((~edges).astype(np.uint8), connectivity=4)
    shares = np.bincount(labels.ravel(), minlength=count) / smooth.size  # of the frame, each region
    regions = [labels == label for label in range(1, count) if MIN_PAGE_AREA <= shares[label] <= MAX_REGION_AREA]
    for region in sorted(regions, key=lambda region: np.median(smooth[region]), reverse=True):
        # a step is two pixels wide under the 3x3 gradient: grown over it, the region's outline lies on it
        yield largest_solid_blob(cv2.dilate(region.astype(np.uint8), square(3), iterations=2))


def brightness_levels(smooth: np.ndarray) -> Iterator[int]:
    """Otsu's level between dark and bright, then between the bright and the brightest,
    brightest first: paper on a pale wall stands out only from the bright pixels. Then
    up to GLARE_LEVELS within the brightest, each within the last, while enough pixels
    lie above: a sheet in a lamp's glare stands out only from the glare around it."""
    level = otsu_level(smooth)
    upper = otsu_level(smooth[smooth > level])
    if upper is not None:
        yield upper
    yield level
    for _ in range(GLARE_LEVELS):
        if upper is None or np.count_nonzero(smooth > upper) < MIN_PAGE_AREA * smooth.size:
            return
        brighter = otsu_level(smooth[smooth > upper])
        if brighter <= upper:
            return
        upper = brighter
        yield upper


def otsu_level(pixels: np.ndarray) -> int | None:
    """Otsu's level between the darker and the brighter of some grey pixels; None for none."""
    if not pixels.size:
        return None
    level, _ = cv2.threshold(pixels.reshape(1, -1), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return int(level)


def largest_solid_blob(bright: np.ndarray) -> np.ndarray | None:
    """The largest bright blob with its holes (the ink on it) filled, or None when it is too small."""
    bright = bright.astype(np.uint8)
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    if cv2.contourArea(outline) < MIN_PAGE_AREA * bright.size:
        return None
    blob = np.zeros_like(bright)
    cv2.drawContours(blob, [outline], 0, 255, cv2.FILLED)
    return blob


def has_sharp_edge(smooth: np.ndarray, paper: np.ndarray, scale: float) -> bool:
    """Whether the paper's outline within the frame is a sharp step down to something
    darker: a band just inside it MIN_EDGE_CONTRAST times brighter than a band a little
    way outside, the step made within a pixel or two nearly all along (see SHARP_EDGE).
    `scale` is the small copy's size against PAGE_SIDE.
    False where the blob reaches the frame's edge all round (the paper fills the frame)."""
    return sharp_share(smooth, paper, scale) >= SHARP_OUTLINE


def sharp_share(smooth: np.ndarray, paper: np.ndarray, scale: float) -> float:
    """The share of the paper's outline within the frame that is a sharp step down to
    something darker (see has_sharp_edge); 0 where the band outside is not
    MIN_EDGE_CONTRAST times darker, or hardly any of the outline is inside the frame."""
    kernel = np.ones((3, 3), np.uint8)
    eroded = cv2.erode(paper, kernel, borderType=cv2.BORDER_REPLICATE)  # the frame's own edge is not the paper's
    outline = paper & ~eroded
    inner = eroded & ~cv2.erode(eroded, kernel, iterations=2, borderType=cv2.BORDER_REPLICATE)
    # a band off the outline by more than a ruled line's width: beyond a line is more paper
    outer = band_around(paper, 3 * scale, 6 * scale)
    if cv2.countNonZero(outer) < min(paper.shape):  # hardly any of the outline inside the frame
        return 0.0
    inside, outside = grey_percentile(smooth, inner, 0.5), grey_percentile(smooth, outer, 0.5)
    if inside < MIN_EDGE_CONTRAST * max(outside, 1):
        return 0.0
    # the rise at each point of the outline, from a band beyond a soft edge's spread to the
    # band inside; a lamp's glare beside part of the paper's edge makes it less there
    reach = round(2 * FAR_BAND * scale) | 1
    beyond = band_around(paper, FAR_BAND / 2 * scale, FAR_BAND * scale)
    rise = band_mean(smooth, inner, reach) - band_mean(smooth, beyond, reach)
    step = cv2.morphologyEx(smooth, cv2.MORPH_GRADIENT, kernel).astype(np.float32)  # the rise within each pixel's 3x3
    along = outline > 0
    rise, step = rise[along], step[along]
    contrast = inside - outside
    sharp = (step >= SHARP_EDGE * np.minimum(rise, contrast)) & (rise >= LOCAL_RISE * contrast)
    return np.count_nonzero(sharp) / max(np.count_nonzero(along), 1)


def band_around(blob: np.ndarray, near: float, far: float) -> np.ndarray:
    """The pixels outside a blob between `near` and `far` pixels from it."""
    kernel = np.ones((3, 3), np.uint8)
    return cv2.dilate(blob, kernel, iterations=round(far)) & ~cv2.dilate(blob, kernel, iterations=round(near))


def band_mean(image: np.ndarray, band: np.ndarray, size: int) -> np.ndarray:
    """The mean of the image over the band's pixels within a size x size window of each pixel."""
    on_band = (band > 0).astype(np.float32)
    total = cv2.boxFilter(image.astype(np.float32) * on_band, -1, (size, size), normalize=False)
    count = cv2.boxFilter(on_band, -1, (size, size), normalize=False)
    return total / np.maximum(count, 1)


def grey_percentile(image: np.ndarray, mask: np.ndarray | None, fraction: float) -> int:
    """The grey level under which `fraction` of an 8-bit image's pixels (where `mask` is
    set) lie, from a histogram: a tenth of the time of numpy's sort."""
    counts = cv2.calcHist([image], [0], mask, [256], [0, 256]).ravel()
    return int(np.searchsorted(np.cumsum(counts), fraction * counts.sum()))


def outline_corners(blob: np.ndarray) -> np.ndarray:
    """Four corners of the blob's outline, clockwise from top-left: its convex hull
    simplified to a quadrilateral, or the smallest rectangle around it where the hull
    will not simplify to four corners."""
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    perimeter = cv2.arcLength(hull, True)
    for tolerance in (0.02, 0.04, 0.06):
        corners = cv2.approxPolyDP(hull, tolerance * perimeter, True)
        if len(corners) == 4:
            break
    else:
        corners = cv2.boxPoints(cv2.minAreaRect(hull))
    return clockwise_from_top_left(corners.reshape(4, 2).astype(np.float32))


def clockwise_from_top_left(corners: np.ndarray) -> np.ndarray:
    """A convex quadrilateral's corners in order of their angle about its centre, starting at
    the top-left. (imutils' `order_points` takes the corner farthest from the top-left as the
    bottom-right; on a long sheet seen at a slant that can be the top-right, and the outline
    it gives crosses itself.)"""
    offsets = corners - corners.mean(axis=0)
    around = corners[np.argsort(np.arctan2(offsets[:, 1], offsets[:, 0]))]  # y points down: clockwise
    return np.roll(around, -int(np.argmin(around.sum(axis=1))), axis=0)
