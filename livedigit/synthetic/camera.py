"""The camera: a moving, tilting view of the page under uneven light, with blur and noise."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import NamedTuple

import cv2
import numpy as np

from ..detect.page import clockwise_from_top_left
from .page import Page, PageItem
from .style import Style


def camera_homography(style: Style, page: Page, t: float, rng: np.random.Generator) -> np.ndarray:
    """Canvas -> frame homography of a camera drifting over the page, t in camera cycles.

    The view's centre swings over the part of the page it is aimed at; where the view is
    the wider, that part swings inside the view instead, and stays in it.
    """
    x0, y0, x1, y1 = page.writing() if style.aim_at_writing else (0, 0, page.image.shape[1], page.image.shape[0])
    frame_w, frame_h = style.frame_size
    view_w = page_pixels_a_frame_pixel(style, page) * frame_w
    view_h = view_w * frame_h / frame_w
    cx = (x0 + x1) / 2 + (x1 - x0 - view_w) * 0.42 * np.sin(2 * np.pi * t)
    cy = (y0 + y1) / 2 + (y1 - y0 - view_h) * 0.42 * np.sin(4 * np.pi * t + 0.7)
    cx, cy = np.array([cx, cy]) + rng.normal(0, style.shake, 2)
    angle = np.deg2rad(style.rotation + 4 * np.sin(2 * np.pi * t * 1.3))
    tilt_x, tilt_y = style.tilt * np.sin(2 * np.pi * t * 0.8), style.tilt * np.cos(2 * np.pi * t * 0.6)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float32)
    stretched = corners * [view_w / 2, view_h / 2]
    stretched[:, 0] *= 1 + tilt_y * corners[:, 1]
    stretched[:, 1] *= 1 + tilt_x * corners[:, 0]
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    quad = (stretched @ rotation.T + [cx, cy]).astype(np.float32)
    frame_corners = np.array([[0, 0], [frame_w, 0], [frame_w, frame_h], [0, frame_h]], np.float32)
    return cv2.getPerspectiveTransform(quad, frame_corners)


def page_pixels_a_frame_pixel(style: Style, page: Page) -> float:
    """How many of the canvas's pixels one of the frame's spans, across the view (before tilt)."""
    return style.view_width * (page.image.shape[1] if not style.surround else style.page_size[0]) / style.frame_size[0]


def lighting(style: Style, t: float) -> np.ndarray:
    """Multiplicative light field of the frame: a drifting gradient and an optional shadow (t in cycles)."""
    frame_w, frame_h = style.frame_size
    ys, xs = np.mgrid[0:frame_h, 0:frame_w].astype(np.float32)
    direction = 2 * np.pi * t
    ramp = (np.cos(direction) * xs / frame_w + np.sin(direction) * ys / frame_h)
    light = style.brightness * (1 - style.light_gradient * (ramp - ramp.min()) / max(np.ptp(ramp), 1e-6))
    if style.shadow:
        shadow = np.zeros((frame_h, frame_w), np.float32)
        edge = int(frame_w * (0.3 + 0.2 * np.sin(direction)))
        cv2.fillPoly(shadow, [np.array([[0, 0], [edge, 0], [edge - 120, frame_h], [0, frame_h]])], 0.35)
        light *= 1 - cv2.GaussianBlur(shadow, (0, 0), 25)
    return light


class Shot(NamedTuple):
    """A frame, the items fully in view with their frame boxes, and the paper in view: its
    outline in the frame, cut by the frame's edge (clockwise from top-left; empty where
    no paper is in view)."""

    frame: np.ndarray
    items: list[PageItem]
    sheet: np.ndarray


def film(page: Page, style: Style, t: float, rng: np.random.Generator) -> Shot:
    """One frame of the page at time t."""
    homography = camera_homography(style, page, t, rng)
    curl = Curl.of(page, style.curl) if style.curl else None
    frame = sensed(page.image, homography, style.frame_size, int(page_pixels_a_frame_pixel(style, page)), style.lens,
                   curl)
    frame *= lighting(style, t)[:, :, None]
    if style.colour_cast != (1.0, 1.0, 1.0):
        frame *= np.array(style.colour_cast, np.float32)
    if style.glare:
        frame += glare(style, t)[:, :, None]
    if style.blur > 0:
        frame = cv2.GaussianBlur(frame, (0, 0), style.blur)
    if style.motion_blur:
        frame = cv2.filter2D(frame, -1, smear(style.motion_blur, rng.uniform(0, np.pi)))
    frame += rng.normal(0, style.noise, frame.shape).astype(np.float32)
    frame = np.clip(frame, 0, 255).astype(np.uint8)
    if style.jpeg_quality:
        frame = cv2.imdecode(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, style.jpeg_quality])[1],
                             cv2.IMREAD_COLOR)
    on_page = page.items if curl is None else [replace(item, outline=curl.bowed(item.outline)) for item in page.items]
    spread = blur_spread(style)
    items = [replace(item, unreadable=unreadable(frame, item, spread)) for item in
             items_in_view(on_page, homography, style.frame_size, style.lens)]
    return Shot(frame, items, sheet_in_view(page, homography, style.frame_size, style.lens, curl))


class Curl(NamedTuple):
    """A sheet bowed as a whole (held up by its sides, or curling as it lies): each of its
    rows sags by `sag` pixels of the canvas at its middle, less towards its left and right
    edges (a parabola), and not at all beyond them. What the sheet's curve does to the
    light on it is left out: only where it shows its ink and lines."""

    left: float
    width: float
    sag: float

    @classmethod
    def of(cls, page: Page, curl: float) -> Curl:
        """The curl of the page's sheet, sagging by `curl` of its width (Style.curl)."""
        left, _, width, _ = page.sheet or (0, 0, page.image.shape[1], page.image.shape[0])
        return cls(float(left), float(width), curl * width)

    def sag_at(self, xs: np.ndarray) -> np.ndarray:
        """How far the sheet sags at each canvas x."""
        across = np.clip(2 * (xs - self.left) / self.width - 1, -1, 1)  # -1 at its left edge, 1 at its right
        return self.sag * (1 - across ** 2)

    def bowed(self, points: np.ndarray) -> np.ndarray:
        """Where the bowed sheet shows the canvas points (n, 2) of the flat one."""
        points = np.asarray(points, np.float64)
        return np.stack([points[:, 0], points[:, 1] + self.sag_at(points[:, 0])], axis=1)

    def flattened(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """The y on the flat canvas of each point (xs, ys) of the bowed one: a sheet sags
        along its rows only, so each point's x is its own."""
        return (ys - self.sag_at(xs)).astype(np.float32)


# What the camera sees beyond the canvas.
BACKDROP = (70, 60, 55)


def sensed(canvas: np.ndarray, homography: np.ndarray, frame_size: tuple[int, int], supersampling: int,
           lens: float = 0.0, curl: Curl | None = None) -> np.ndarray:
    """The canvas as the frame's pixels see it through the homography and the `lens`: each
    the light over its area. Sampled once a pixel, a page shrunk twice or more lost the
    lines thinner than a pixel where they fell between the samples (a grid seen far off came
    out in dashes, no camera's picture of it); it is sampled `supersampling` times a pixel
    each way and averaged down, as a sensor averages. The lens bends the light on its way,
    in the same one sampling of the canvas: bending the filmed frame after would resample it,
    blurring it as no lens does (random scenes read 0.025 worse so, even through a lens of
    -0.005); so does a sheet's `curl`."""
    k = max(1, supersampling)
    size = (frame_size[0] * k, frame_size[1] * k)
    if lens or curl is not None:
        xs, ys = canvas_points(homography, frame_size, k, lens)
        if curl is not None:
            ys = curl.flattened(xs, ys)
        frame = cv2.remap(canvas, xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=BACKDROP)
    else:
        upscaled = np.diag([k, k, 1]).astype(np.float64) @ homography
        frame = cv2.warpPerspective(canvas, upscaled, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                                    borderValue=BACKDROP)
    return frame if k == 1 else cv2.resize(frame, frame_size, interpolation=cv2.INTER_AREA)


def canvas_points(homography: np.ndarray, frame_size: tuple[int, int], k: int, lens: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """x and y on the canvas (cv2.remap's maps) that each pixel of the frame, k times finer
    each way, sees through the lens and the homography."""
    xs, ys = without_lens(frame_size, k, lens)
    to_canvas = np.linalg.inv(homography)
    depth = to_canvas[2, 0] * xs + to_canvas[2, 1] * ys + to_canvas[2, 2]
    return ((to_canvas[0, 0] * xs + to_canvas[0, 1] * ys + to_canvas[0, 2]) / depth).astype(np.float32), \
        ((to_canvas[1, 0] * xs + to_canvas[1, 1] * ys + to_canvas[1, 2]) / depth).astype(np.float32)


# The smallest digits the scenes are drawn with (scenes.random_scene), in frame pixels: any
# seen smaller (the far side of a page seen at a slant, an ink box a little short) is out of range.
MIN_DIGIT_HEIGHT = 14
# Grey levels from which the sensor shows white, whatever is in front of it: ink under a
# lamp's glare that bright is gone from the frame.
SENSOR_WHITE = 250
# A digit under this many times as tall as the camera's blur spreads (blur_spread) is a
# smudge: blurred so, 14-20 px digits of random scenes show no stroke apart from the next
# (looked at on about 70 digits of scenes 0-499; between 8 and 10 times, some can be read).
LEGIBLE_BLUR = 8


def blur_spread(style: Style) -> float:
    """How far, in frame pixels, the camera's defocus and motion blur spread a point
    together: the standard deviations of the defocus's Gaussian and of the smear's line
    (a line L long spreads L / sqrt(12)), added as independent blurs add."""
    return float(np.hypot(style.blur, style.motion_blur / np.sqrt(12)))


def unreadable(frame: np.ndarray, item: PageItem, spread: float = 0.0) -> str:
    """Why no one could read the digit `item` in the `frame`: smaller than the scenes promise,
    blurred past reading (under LEGIBLE_BLUR times as tall as the camera's blur `spread`),
    or washed out by glare (nearly all of its box at the sensor's white); "" where it can
    be read, and for marks that are not digits."""
    if item.label < 0:
        return ""
    x, y, w, h = item.box
    if h < MIN_DIGIT_HEIGHT:
        return f"under {MIN_DIGIT_HEIGHT} px tall"
    if h < LEGIBLE_BLUR * spread:
        return "blurred past reading"
    grey = cv2.cvtColor(frame[y:y + h + 1, x:x + w + 1], cv2.COLOR_BGR2GRAY)
    if np.percentile(grey, 5) >= SENSOR_WHITE:
        return "washed out by glare"
    return ""


def sheet_in_view(page: Page, homography: np.ndarray, frame_size: tuple[int, int], lens: float = 0.0,
                  curl: Curl | None = None) -> np.ndarray:
    """The sheet's outline in the frame, cut by the frame's edge and, where the camera is
    tilted far enough to see the page's horizon, by that: beyond it the projection turns
    the paper over into nonsense corners; bent by the `lens` and the sheet's `curl` (its
    sides as many points). Clockwise from top-left; (0, 2) where no paper is in view."""
    x, y, w, h = page.sheet or (0, 0, page.image.shape[1], page.image.shape[0])
    frame_w, frame_h = frame_size
    outline = in_front_of_camera(np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float64),
                                 homography, (frame_w / 2, frame_h / 2))
    if len(outline) < 3:
        return np.zeros((0, 2), np.float32)
    frame = np.array([[0, 0], [frame_w, 0], [frame_w, frame_h], [0, frame_h]], np.float32)
    if curl is not None:  # bowed, the outline is no longer convex
        projected = cv2.perspectiveTransform(curl.bowed(along_sides(outline)).reshape(-1, 1, 2), homography)
        visible = clipped_to_box(projected.reshape(-1, 2), frame_w, frame_h)
        if len(visible) < 3 or cv2.contourArea(visible) <= 0:
            return np.zeros((0, 2), np.float32)
    else:
        projected = cv2.perspectiveTransform(outline.reshape(-1, 1, 2), homography).reshape(-1, 2).astype(np.float32)
        area, visible = cv2.intersectConvexConvex(projected, frame)
        if area <= 0:
            return np.zeros((0, 2), np.float32)
    if lens:
        visible = seen_through_lens(along_sides(visible.reshape(-1, 2)), frame_size, lens)
    return clockwise_from_top_left(visible.reshape(-1, 2))


def clipped_to_box(polygon: np.ndarray, width: float, height: float) -> np.ndarray:
    """The part of a polygon (n, 2), convex or not, inside the box from (0, 0) to (width,
    height): cut by each of its sides in turn (Sutherland and Hodgman's clipping)."""
    for axis, limit, inside_below in ((0, 0.0, False), (0, width, True), (1, 0.0, False), (1, height, True)):
        if not len(polygon):
            break
        offsets = (polygon[:, axis] - limit) * (1 if inside_below else -1)  # <= 0 inside
        kept = []
        for point, offset, following, following_offset in zip(polygon, offsets, np.roll(polygon, -1, axis=0),
                                                               np.roll(offsets, -1)):
            if offset <= 0:
                kept.append(point)
            if (offset <= 0) != (following_offset <= 0):
                kept.append(point + (following - point) * offset / (offset - following_offset))
        polygon = np.array(kept, np.float32).reshape(-1, 2)
    return polygon


def along_sides(polygon: np.ndarray, points: int = 16) -> np.ndarray:
    """A polygon's outline as `points` points a side: a lens bends its sides."""
    steps = np.arange(points)[:, None] / points
    sides = zip(polygon, np.roll(polygon, -1, axis=0))
    return np.concatenate([start + steps * (end - start) for start, end in sides]).astype(np.float32)


# A lens's radial distortion: a point r from the frame's centre (half its diagonal being 1)
# is seen at r (1 + lens (r^2 - 1)): the corners stay where they are, and with lens < 0
# (barrel) the middle of the frame swells, ruled lines near its edges bowing out. Webcams'
# wide lenses bend so by up to about a tenth.
def seen_through_lens(points: np.ndarray, frame_size: tuple[int, int], lens: float) -> np.ndarray:
    """Where the lens shows the frame points (n, 2) of a camera without distortion."""
    centre, half_diagonal = lens_centre(frame_size)
    offsets = (points - centre) / half_diagonal
    squared = (offsets ** 2).sum(axis=1, keepdims=True)
    return (centre + offsets * (1 + lens * (squared - 1)) * half_diagonal).astype(np.float32)


@lru_cache(maxsize=2)  # a clip's frames share one lens; the points of a 1920x1080 frame hold 33 MB
def without_lens(frame_size: tuple[int, int], k: int, lens: float) -> tuple[np.ndarray, np.ndarray]:
    """For each pixel of the frame through the lens, k times finer each way, where it lies in
    the frame without the lens (seen_through_lens undone, by fixed-point steps)."""
    centre, half_diagonal = lens_centre(frame_size)
    ys, xs = np.mgrid[0:frame_size[1] * k, 0:frame_size[0] * k].astype(np.float64) / k
    seen = np.hypot(xs - centre[0], ys - centre[1]) / half_diagonal
    radius = seen.copy()
    for _ in range(20):
        radius = seen / (1 + lens * (radius ** 2 - 1))
    scale = radius / np.maximum(seen, 1e-9)
    return centre[0] + (xs - centre[0]) * scale, centre[1] + (ys - centre[1]) * scale


def lens_centre(frame_size: tuple[int, int]) -> tuple[np.ndarray, float]:
    width, height = frame_size
    return np.array([(width - 1) / 2, (height - 1) / 2]), float(np.hypot(width, height) / 2)


# Points of the page nearer the camera's horizon than this fraction of the largest depth
# (the homography's third coordinate) of the sheet's corners are left out: they would
# project thousands of frames away.
HORIZON = 1e-3


def in_front_of_camera(polygon: np.ndarray, homography: np.ndarray, seen: tuple[float, float]) -> np.ndarray:
    """The part of a convex canvas polygon in front of the camera: where the homography's
    third coordinate has the sign it has at the canvas point seen at the frame point `seen`."""
    depth = polygon @ homography[2, :2] + homography[2, 2]
    canvas = np.linalg.solve(homography, [seen[0], seen[1], 1.0])
    front = np.sign(homography[2] @ (canvas / canvas[2]))
    depth = front * depth - HORIZON * np.abs(depth).max()
    kept = []
    for (a, depth_a), (b, depth_b) in zip(zip(polygon, depth), zip(np.roll(polygon, -1, axis=0), np.roll(depth, -1))):
        if depth_a > 0:
            kept.append(a)
        if (depth_a > 0) != (depth_b > 0):  # the edge crosses the horizon: cut it there
            kept.append(a + (b - a) * depth_a / (depth_a - depth_b))
    return np.array(kept).reshape(-1, 2)


def glare(style: Style, t: float) -> np.ndarray:
    """A lamp's reflection: a broad bright spot drifting slowly over the frame, added to it."""
    frame_w, frame_h = style.frame_size
    centre = (frame_w * (0.5 + 0.25 * np.sin(2 * np.pi * t * 0.7)), frame_h * (0.45 + 0.2 * np.cos(2 * np.pi * t)))
    ys, xs = np.ogrid[0:frame_h, 0:frame_w]
    spread = 0.18 * frame_w
    spot = np.exp(-((xs - centre[0]) ** 2 + (ys - centre[1]) ** 2) / (2 * spread ** 2))
    return (255 * style.glare * spot).astype(np.float32)


def smear(length: float, angle: float) -> np.ndarray:
    """The kernel of a camera's motion blur: a line `length` pixels long at `angle`."""
    size = int(np.ceil(length)) | 1
    kernel = np.zeros((size, size), np.float32)
    half = size // 2
    dx, dy = np.cos(angle) * length / 2, np.sin(angle) * length / 2
    cv2.line(kernel, (round(half - dx), round(half - dy)), (round(half + dx), round(half + dy)), 1.0, 1, cv2.LINE_AA)
    return kernel / kernel.sum()


def items_in_view(items: list[PageItem], homography: np.ndarray, frame_size: tuple[int, int],
                  lens: float = 0.0) -> list[PageItem]:
    """The items whose ink lies wholly in the frame (through the `lens`), with the frame box
    around their ink."""
    if not items:
        return []
    frame_w, frame_h = frame_size
    outlines = [item.outline.reshape(-1, 2) for item in items]
    points = cv2.perspectiveTransform(np.concatenate(outlines).astype(np.float32)[:, None], homography)[:, 0]
    if lens:
        points = seen_through_lens(points, frame_size, lens)
    in_view = []
    for item, projected in zip(items, np.split(points, np.cumsum([len(o) for o in outlines])[:-1])):
        low, high = projected.min(axis=0), projected.max(axis=0)
        if low[0] >= 1 and low[1] >= 1 and high[0] < frame_w - 1 and high[1] < frame_h - 1:
            in_view.append(PageItem((int(low[0]), int(low[1]), int(high[0] - low[0]), int(high[1] - low[1])),
                                    item.label, item.id, number=item.number))
    return in_view

