"""Camera-like footage of handwritten pages, with exact ground truth.

MNIST digits (use the test split for evaluation) are written in rows of numbers on a
page with paper texture, optional ruled lines, ink colours and distractor marks; a
moving, tilting virtual camera films it under uneven light with blur and noise. Every
frame comes with the box and label of each digit and each non-digit mark fully in view.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from .marks import random_mark


@dataclass(frozen=True)
class Style:
    """How a clip looks; presets below."""

    frame_size: tuple[int, int] = (640, 480)
    page_size: tuple[int, int] = (1400, 1000)
    digit_height: tuple[int, int] = (34, 50)     # on the page, pixels
    digit_gap: tuple[float, float] = (0.2, 0.45)  # between digits of a number, in digit heights
    rows: int = 9
    numbers_per_row: int = 6
    ink_colours: tuple = ((40, 30, 25),)          # BGR
    ruled_lines: bool = False
    grid: bool = False
    marks_per_row: float = 0.0
    brightness: float = 1.0
    light_gradient: float = 0.15
    shadow: bool = False
    blur: float = 0.6
    noise: float = 2.0
    shake: float = 0.0                            # hand shake, page pixels per frame
    view_width: float = 0.62                      # fraction of the page width in view
    tilt: float = 0.06                            # perspective strength
    surround: str = ""                            # what the page is taped to: "", "wood" or "wallpaper"
    margin: float = 0.0                           # how much of it shows, in page sizes on each side


PRESETS = {
    "clean": Style(),
    "lined": Style(ruled_lines=True, marks_per_row=1.5, ink_colours=((140, 50, 20), (150, 70, 30)),
                   light_gradient=0.25),
    "dim": Style(brightness=0.45, noise=7.0, blur=1.2, shake=3.0, shadow=True, light_gradient=0.3,
                 ink_colours=((40, 30, 25), (90, 85, 80))),
    "hd": Style(frame_size=(1280, 720), page_size=(1800, 1250), rows=10, numbers_per_row=7,
                marks_per_row=0.8, view_width=0.75),
    "door": Style(page_size=(900, 650), rows=6, numbers_per_row=4, surround="wood", margin=0.3,
                  view_width=0.95, shake=2.0, blur=0.9),
    "wall": Style(page_size=(900, 650), rows=6, numbers_per_row=4, surround="wallpaper", margin=0.3,
                  view_width=0.95, shake=2.0, blur=0.9, ink_colours=((140, 50, 20), (40, 30, 25))),
}


@dataclass
class PageItem:
    box: tuple[int, int, int, int]   # x, y, w, h of the ink on the page
    label: int                       # digit 0-9, or -1 for a non-digit mark
    id: int = -1                     # index on its page, the same in every frame


@dataclass
class Page:
    image: np.ndarray
    items: list[PageItem] = field(default_factory=list)


def paper(style: Style, rng: np.random.Generator) -> np.ndarray:
    w, h = style.page_size
    tint = np.array([235, 240, 242]) + rng.integers(-8, 8, 3)
    page = np.empty((h, w, 3), np.float32)
    page[:] = tint
    grain = cv2.GaussianBlur(rng.normal(0, 6, (h, w)).astype(np.float32), (0, 0), 1.5)
    page += grain[:, :, None]
    line_colour = (200, 160, 120)
    if style.ruled_lines or style.grid:
        for y in range(60, h, 56):
            cv2.line(page, (0, y), (w, y), line_colour, 2, cv2.LINE_AA)
    if style.grid:
        for x in range(40, w, 56):
            cv2.line(page, (x, 0), (x, h), line_colour, 2, cv2.LINE_AA)
    return page


def write_ink(page: np.ndarray, alpha: np.ndarray, x: int, y: int, colour) -> tuple[int, int, int, int] | None:
    """Blend ink (alpha 0..1) onto the page at x, y; returns the ink's box on the page."""
    h, w = alpha.shape
    if x < 0 or y < 0 or x + w > page.shape[1] or y + h > page.shape[0]:
        return None
    region = page[y:y + h, x:x + w]
    region[:] = region * (1 - alpha[:, :, None]) + np.array(colour, np.float32) * alpha[:, :, None]
    ys, xs = np.nonzero(alpha > 0.3)
    if len(ys) == 0:
        return None
    return int(x + xs.min()), int(y + ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)


def digit_alpha(image: np.ndarray, height: int, rng: np.random.Generator) -> np.ndarray:
    """An MNIST digit (28x28 uint8) as ink alpha about `height` pixels tall, pen width varied."""
    size = int(round(height * 28 / 20))
    alpha = cv2.resize(image.astype(np.float32) / 255, (size, size), interpolation=cv2.INTER_CUBIC)
    thin = rng.uniform(0.0, 0.45)
    return np.clip((alpha - thin) / (1 - thin), 0, 1)


def trim_columns(alpha: np.ndarray) -> np.ndarray:
    """Drop the empty columns either side of the ink, so digits can be spaced by their width."""
    columns = np.flatnonzero(alpha.max(axis=0) > 0.05)
    return alpha[:, columns[0]:columns[-1] + 1] if len(columns) else alpha


def mark_alpha(height: int, rng: np.random.Generator) -> np.ndarray:
    mask = random_mark(rng).astype(np.float32) / 255
    ys, xs = np.nonzero(mask)
    mask = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    scale = height / max(mask.shape[0], mask.shape[1] / 1.5)
    size = (max(2, int(mask.shape[1] * scale)), max(2, int(mask.shape[0] * scale)))
    return cv2.GaussianBlur(cv2.resize(mask, size, interpolation=cv2.INTER_AREA), (3, 3), 0)


def write_page(digits: np.ndarray, labels: np.ndarray, style: Style, rng: np.random.Generator) -> Page:
    """Rows of numbers of 1 to 4 digits, with marks between them."""
    page = Page(paper(style, rng))
    w, h = style.page_size
    row_pitch = (h - 80) / style.rows
    pool = iter(rng.permutation(len(digits)))
    for row in range(style.rows):
        baseline = int(40 + (row + 0.75) * row_pitch)
        x = int(rng.integers(30, 60))
        colour = style.ink_colours[rng.integers(len(style.ink_colours))]
        items = ["number"] * style.numbers_per_row + ["mark"] * int(rng.poisson(style.marks_per_row))
        for kind in rng.permutation(items):
            height = int(rng.integers(*style.digit_height))
            if kind == "mark":
                alpha = mark_alpha(height, rng)
                box = write_ink(page.image, alpha, x, baseline - alpha.shape[0], colour)
                if box:
                    page.items.append(PageItem(box, -1, len(page.items)))
                x += alpha.shape[1] + int(rng.integers(20, 40))
                continue
            for _ in range(int(rng.integers(1, 5))):
                index = next(pool)
                alpha = trim_columns(digit_alpha(digits[index], height, rng))
                top = baseline - int(alpha.shape[0] * 0.86) + int(rng.integers(-3, 4))
                box = write_ink(page.image, alpha, x, top, colour)
                if box:
                    page.items.append(PageItem(box, int(labels[index]), len(page.items)))
                x += alpha.shape[1] + int(height * rng.uniform(*style.digit_gap))
            x += int(rng.integers(30, 70))
    return page


def smooth_noise(shape: tuple[int, int], sigma: tuple[float, float], rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise blurred by (sigma_x, sigma_y), scaled to unit spread."""
    noise = cv2.GaussianBlur(rng.normal(0, 1, shape).astype(np.float32), (0, 0), sigma[0], sigmaY=sigma[1])
    return noise / max(float(noise.std()), 1e-6)


def wood(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A carved wooden door: brown grain with dark carved panel lines."""
    h, w = shape
    xs = np.arange(w, dtype=np.float32)[None, :]
    grain = np.sin((xs + 25 * smooth_noise(shape, (20, 60), rng)) / rng.uniform(5, 9))
    value = 0.75 + 0.12 * grain + 0.08 * smooth_noise(shape, (1, 12), rng)
    door = value[:, :, None] * np.array([45, 85, 140], np.float32)
    for inset in (0.08, 0.16):
        top_left = (int(w * inset), int(h * inset))
        cv2.rectangle(door, top_left, (int(w * (1 - inset)), int(h * (1 - inset))), (15, 30, 50), 6)
    return door


def wallpaper(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A pale wall with a repeating pattern of small flowers and leaves."""
    h, w = shape
    wall = np.empty((h, w, 3), np.float32)
    wall[:] = (200, 212, 222)
    wall += 6 * smooth_noise(shape, (2, 2), rng)[:, :, None]
    colour, pitch = (110, 125, 150), int(rng.integers(90, 120))
    size = pitch // 4
    for row, y in enumerate(range(pitch // 2, h, pitch)):
        for x in range(pitch // 2 + (row % 2) * pitch // 2, w, pitch):
            for angle in range(0, 360, 72):
                centre = (int(x + size * np.cos(np.deg2rad(angle))), int(y + size * np.sin(np.deg2rad(angle))))
                cv2.ellipse(wall, centre, (size, size // 3), angle, 0, 360, colour, 3, cv2.LINE_AA)
            cv2.circle(wall, (x, y), size // 3, colour, -1, cv2.LINE_AA)
            curl = x + pitch // 2, y + pitch // 2
            cv2.ellipse(wall, curl, (size, size // 2), 30, 0, 270, colour, 3, cv2.LINE_AA)
    return wall


SURROUNDS = {"wood": wood, "wallpaper": wallpaper}


def mount(page: Page, style: Style, rng: np.random.Generator) -> Page:
    """The page taped in the middle of a door or wall, with the item boxes moved along."""
    h, w = page.image.shape[:2]
    dx, dy = int(w * style.margin), int(h * style.margin)
    canvas = SURROUNDS[style.surround]((h + 2 * dy, w + 2 * dx), rng)
    canvas[dy:dy + h, dx:dx + w] = page.image
    items = [PageItem((x + dx, y + dy, bw, bh), item.label, item.id)
             for item, (x, y, bw, bh) in ((item, item.box) for item in page.items)]
    return Page(canvas, items)


def camera_homography(style: Style, canvas_size: tuple[int, int], t: float, rng: np.random.Generator) -> np.ndarray:
    """Canvas -> frame homography of a camera drifting over the page, t in camera cycles."""
    page_w, page_h = canvas_size
    frame_w, frame_h = style.frame_size
    view_w = style.view_width * (page_w if not style.surround else style.page_size[0])
    view_h = view_w * frame_h / frame_w
    cx = page_w / 2 + (page_w - view_w) * 0.42 * np.sin(2 * np.pi * t)
    cy = page_h / 2 + (page_h - view_h) * 0.42 * np.sin(4 * np.pi * t + 0.7)
    cx, cy = np.array([cx, cy]) + rng.normal(0, style.shake, 2)
    angle = np.deg2rad(4 * np.sin(2 * np.pi * t * 1.3))
    tilt_x, tilt_y = style.tilt * np.sin(2 * np.pi * t * 0.8), style.tilt * np.cos(2 * np.pi * t * 0.6)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float32)
    stretched = corners * [view_w / 2, view_h / 2]
    stretched[:, 0] *= 1 + tilt_y * corners[:, 1]
    stretched[:, 1] *= 1 + tilt_x * corners[:, 0]
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    quad = (stretched @ rotation.T + [cx, cy]).astype(np.float32)
    frame_corners = np.array([[0, 0], [frame_w, 0], [frame_w, frame_h], [0, frame_h]], np.float32)
    return cv2.getPerspectiveTransform(quad, frame_corners)


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


def film(page: Page, style: Style, t: float, rng: np.random.Generator) -> tuple[np.ndarray, list[PageItem]]:
    """One frame of the page at time t, and the items fully in view with frame boxes."""
    homography = camera_homography(style, (page.image.shape[1], page.image.shape[0]), t, rng)
    frame = cv2.warpPerspective(page.image, homography, style.frame_size, flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=(70, 60, 55))
    frame *= lighting(style, t)[:, :, None]
    if style.blur > 0:
        frame = cv2.GaussianBlur(frame, (0, 0), style.blur)
    frame += rng.normal(0, style.noise, frame.shape).astype(np.float32)
    return np.clip(frame, 0, 255).astype(np.uint8), items_in_view(page.items, homography, style.frame_size)


def items_in_view(items: list[PageItem], homography: np.ndarray, frame_size: tuple[int, int]) -> list[PageItem]:
    if not items:
        return []
    boxes = np.array([item.box for item in items], np.float32)
    x, y, w, h = boxes.T
    corners = np.stack([np.stack([x, y], 1), np.stack([x + w, y], 1),
                        np.stack([x + w, y + h], 1), np.stack([x, y + h], 1)], 1)
    projected = cv2.perspectiveTransform(corners.reshape(-1, 1, 2), homography).reshape(-1, 4, 2)
    low, high = projected.min(axis=1), projected.max(axis=1)
    frame_w, frame_h = frame_size
    inside = (low[:, 0] >= 1) & (low[:, 1] >= 1) & (high[:, 0] < frame_w - 1) & (high[:, 1] < frame_h - 1)
    return [PageItem((int(lo[0]), int(lo[1]), int(hi[0] - lo[0]), int(hi[1] - lo[1])), item.label, item.id)
            for item, lo, hi, keep in zip(items, low, high, inside) if keep]


# The camera's path over the page repeats every this many seconds.
CAMERA_CYCLE_S = 20.0


def make_clip(digits: np.ndarray, labels: np.ndarray, style: Style, frames: int, seed: int, fps: float = 30.0):
    """Yield (frame, items in view) for a clip of `frames` frames of one page."""
    rng = np.random.default_rng(seed)
    page = write_page(digits, labels, style, rng)
    if style.surround:
        page = mount(page, style, rng)
    start = rng.uniform()  # where on its path the camera starts
    for index in range(frames):
        yield film(page, style, start + index / (fps * CAMERA_CYCLE_S), rng)


def preset(name: str, **changes) -> Style:
    return replace(PRESETS[name], **changes)
