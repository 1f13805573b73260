"""The page: paper, ruled lines, digits in ink and distractor marks, with each item's box."""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ..marks import random_mark
from .style import Style


@dataclass
class PageItem:
    box: tuple[int, int, int, int]   # x, y, w, h of the ink on the page
    label: int                       # digit 0-9, or -1 for a non-digit mark
    id: int = -1                     # index on its page, the same in every frame
    outline: np.ndarray | None = field(default=None, compare=False)  # ink's hull on the page; None in a frame
    unreadable: str = ""             # in a frame, why no one could read the digit there (camera.unreadable)
    number: int = -1                 # the number a digit is written in (its first digit's id); -1 for a mark


def inked_item(outline: np.ndarray, label: int, index: int, number: int = -1) -> PageItem:
    """An item around the ink of `outline` (its convex hull)."""
    (x, y), (right, bottom) = outline.min(axis=0), outline.max(axis=0)
    return PageItem((int(x), int(y), int(right - x), int(bottom - y)), label, index, outline, number=number)


@dataclass
class Page:
    image: np.ndarray
    items: list[PageItem] = field(default_factory=list)
    sheet: tuple[int, int, int, int] | None = None  # x, y, w, h of the paper in the image; None: all of it

    def writing(self) -> tuple[int, int, int, int]:
        """x0, y0, x1, y1 around the page's digits (the whole image where it has none)."""
        boxes = np.array([item.box for item in self.items if item.label >= 0]).reshape(-1, 4)
        if not len(boxes):
            return 0, 0, self.image.shape[1], self.image.shape[0]
        return (int(boxes[:, 0].min()), int(boxes[:, 1].min()),
                int((boxes[:, 0] + boxes[:, 2]).max()), int((boxes[:, 1] + boxes[:, 3]).max()))


WHITE = (235, 240, 242)


def paper(style: Style, rng: np.random.Generator) -> np.ndarray:
    w, h = style.page_size
    tint = np.array(style.paper_colour or WHITE) + rng.integers(-8, 8, 3)
    page = np.empty((h, w, 3), np.float32)
    page[:] = tint
    grain = cv2.GaussianBlur(rng.normal(0, 6, (h, w)).astype(np.float32), (0, 0), 1.5)
    page += grain[:, :, None]
    spacing, colour, width = style.line_spacing, style.line_colour, style.line_width
    if style.ruled_lines or style.grid:
        for y in range(60, h, spacing):
            cv2.line(page, (0, y), (w, y), colour, width, cv2.LINE_AA)
    if style.grid:
        for x in range(40, w, spacing):
            cv2.line(page, (x, 0), (x, h), colour, width, cv2.LINE_AA)
    if style.dots:
        for y in range(60, h, spacing):
            for x in range(40, w, spacing):
                cv2.circle(page, (x, y), width, colour, -1, cv2.LINE_AA)
    return page


def write_ink(page: np.ndarray, alpha: np.ndarray, x: int, y: int, colour,
              stroke: np.ndarray | None = None) -> np.ndarray | None:
    """Blend ink (alpha 0..1) onto the page at x, y; returns the ink's outline on the page
    (the convex hull of its `stroke`, or of the ink itself, where that is over 0.3), or
    None where nothing was written."""
    h, w = alpha.shape
    if x < 0 or y < 0 or x + w > page.shape[1] or y + h > page.shape[0]:
        return None
    region = page[y:y + h, x:x + w]
    region[:] = region * (1 - alpha[:, :, None]) + np.array(colour, np.float32) * alpha[:, :, None]
    ink = cv2.findNonZero(((alpha if stroke is None else stroke) > 0.3).astype(np.uint8))
    if ink is None:
        return None
    corners = (cv2.convexHull(ink) + PIXEL_CORNERS).reshape(-1, 1, 2)  # pixel (i, j) spans i..i+1, j..j+1
    return cv2.convexHull(corners).reshape(-1, 2) + (x, y)


PIXEL_CORNERS = np.array([[[0, 0]], [[1, 0]], [[0, 1]], [[1, 1]]], np.int32).reshape(1, 4, 2)


def digit_alpha(image: np.ndarray, height: int, rng: np.random.Generator,
                style: Style) -> tuple[np.ndarray, np.ndarray]:
    """An MNIST digit (28x28 uint8) as ink alpha about `height` pixels tall, in the style's
    pen, and its stroke: the alpha before a pencil's grey and the pen's pressure lightened
    it, where the pen went however lightly (what the truth boxes)."""
    size = int(round(height * 28 / 20))
    alpha = cv2.resize(image.astype(np.float32) / 255, (size, size), interpolation=cv2.INTER_CUBIC)
    thin = rng.uniform(*THINNING.get(style.pen, (0.0, 0.45)))
    alpha = np.clip((alpha - thin) / (1 - thin), 0, 1)
    if style.pen in BROAD_PENS:  # strokes as broad as the pen: a share of the digit's height
        radius = max(1, round(height / BROAD_PENS[style.pen]))
        alpha = cv2.dilate(alpha, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2))
    stroke = alpha.copy()
    if style.pen == "pencil":  # grey graphite, grainy
        alpha *= rng.uniform(0.45, 0.75) * (1 - 0.35 * rng.random(alpha.shape, np.float32))
    if style.pressure:
        alpha *= 1 - style.pressure * np.clip(0.5 + 0.5 * smooth_noise(alpha.shape, (size / 5,) * 2, rng), 0, 1)
    return alpha, stroke


# Of each digit's stroke kept: a ballpoint's is thinner than MNIST's.
THINNING = {"ballpoint": (0.45, 0.7)}
# Broad pens widen MNIST's stroke (about 11 % of the digit's height) on each side by the
# height over this: to about 15 % (felt-tip) and 21 % (marker). Broader, the loops of 0, 6, 8
# and 9 fill in and no one could read the digit.
BROAD_PENS = {"felt-tip": 50, "marker": 20}


def inked_columns(alpha: np.ndarray) -> slice:
    """The columns from the ink's first to its last, so digits can be spaced by their width."""
    columns = np.flatnonzero(alpha.max(axis=0) > 0.05)
    return slice(columns[0], columns[-1] + 1) if len(columns) else slice(None)


def write_page(digits: np.ndarray, labels: np.ndarray, style: Style, rng: np.random.Generator) -> Page:
    """Rows of numbers of 1 to 4 digits, with marks, printed words and arrows between them."""
    page = Page(paper(style, rng))
    w, h = style.page_size
    row_pitch = (h - 80) / style.rows
    pool = iter(rng.permutation(len(digits)))
    for row in range(style.rows):
        baseline = int(40 + (row + 0.75) * row_pitch)
        x = int(rng.integers(30, 60))
        colour = style.ink_colours[rng.integers(len(style.ink_colours))]
        for kind in rng.permutation(row_items(style, rng)):
            height = int(rng.integers(*style.digit_height))
            if kind == "number":
                x = write_number(page, digits, labels, pool, x, baseline, height, colour, style, rng)
            else:
                alpha = DISTRACTORS[kind](height, style, rng)
                outline = write_ink(page.image, alpha, x, baseline - alpha.shape[0],
                                    PRINT_COLOUR if kind == "word" else colour)
                if outline is not None:
                    page.items.append(inked_item(outline, -1, len(page.items)))
                x += alpha.shape[1] + int(rng.integers(20, 40))
    return page


def row_items(style: Style, rng: np.random.Generator) -> list[str]:
    items = ["number"] * style.numbers_per_row + ["mark"] * int(rng.poisson(style.marks_per_row))
    for kind, rate in (("word", style.words_per_row), ("arrow", style.arrows_per_row)):
        if rate:
            items += [kind] * int(rng.poisson(rate))
    return items


def write_number(page: Page, digits: np.ndarray, labels: np.ndarray, pool, x: int, baseline: int, height: int,
                 colour, style: Style, rng: np.random.Generator) -> int:
    """A number's digits side by side from x, perhaps boxed or underlined; returns the x after it."""
    first_item = len(page.items)
    for _ in range(int(rng.integers(*style.number_length))):
        index = next(pool)
        alpha, stroke = digit_alpha(digits[index], height, rng, style)
        columns = inked_columns(alpha)
        alpha, stroke = alpha[:, columns], stroke[:, columns]
        top = baseline - int(alpha.shape[0] * 0.86) + int(rng.integers(-3, 4))
        outline = write_ink(page.image, alpha, x, top, colour, stroke)
        if outline is not None:
            page.items.append(inked_item(outline, int(labels[index]), len(page.items), first_item))
        x += alpha.shape[1] + int(height * rng.uniform(*style.digit_gap))
    written = [item.box for item in page.items[first_item:]]
    if written and (style.boxed or style.underlined):
        decorate(page.image, written, height, colour, style, rng)
    return x + int(rng.integers(30, 70))


def decorate(image: np.ndarray, boxes: list, height: int, colour, style: Style, rng: np.random.Generator) -> None:
    """A box drawn around a number, or a line under it, clear of its digits."""
    boxes = np.array(boxes)
    left, top = boxes[:, :2].min(axis=0)
    right, bottom = (boxes[:, :2] + boxes[:, 2:]).max(axis=0)
    pad, width = max(4, height // 4), max(1, height // 16)
    if rng.uniform() < style.boxed:
        cv2.rectangle(image, (int(left - pad), int(top - pad)), (int(right + pad), int(bottom + pad)), colour, width,
                      cv2.LINE_AA)
    elif rng.uniform() < style.underlined:
        y = int(bottom + pad)
        cv2.line(image, (int(left - pad), y), (int(right + pad), y + int(rng.integers(-3, 4))), colour, width,
                 cv2.LINE_AA)


def mark_alpha(height: int, style: Style, rng: np.random.Generator) -> np.ndarray:
    mask = random_mark(rng).astype(np.float32) / 255
    ys, xs = np.nonzero(mask)
    mask = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    scale = height / max(mask.shape[0], mask.shape[1] / 1.5)
    size = (max(2, int(mask.shape[1] * scale)), max(2, int(mask.shape[0] * scale)))
    return cv2.GaussianBlur(cv2.resize(mask, size, interpolation=cv2.INTER_AREA), (3, 3), 0)


# Printed words use letters that look most like digits (g q 9, l I 1, O o 0, S 5, Z 2, B 8) among others.
PRINTED_LETTERS = "gqaolIOSZBesnmrthyxk"
PRINT_FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_TRIPLEX)
PRINT_COLOUR = (35, 35, 35)
CAP_HEIGHT = 22  # pixels of a Hershey capital at scale 1


def word_alpha(height: int, style: Style, rng: np.random.Generator) -> np.ndarray:
    """A printed word of 1 to 6 letters, capitals about `height` x 0.4-0.9 tall, perhaps struck through."""
    text = "".join(rng.choice(list(PRINTED_LETTERS), int(rng.integers(1, 7))))
    font = PRINT_FONTS[rng.integers(len(PRINT_FONTS))]
    scale = height * rng.uniform(0.4, 0.9) / CAP_HEIGHT
    thickness = max(1, round(scale * 1.6))
    (w, h), descent = cv2.getTextSize(text, font, scale, thickness)
    canvas = np.zeros((h + descent + 2 * thickness, w + 2 * thickness), np.uint8)  # putText draws on 8 bits
    cv2.putText(canvas, text, (thickness, h + thickness), font, scale, 255, thickness, cv2.LINE_AA)
    if rng.uniform() < style.struck:
        y = (h + thickness) * 2 // 3
        cv2.line(canvas, (0, y), (canvas.shape[1] - 1, y + int(rng.integers(-2, 3))), 255, thickness, cv2.LINE_AA)
    return canvas.astype(np.float32) / 255


def arrow_alpha(height: int, style: Style, rng: np.random.Generator) -> np.ndarray:
    """A hand-drawn arrow, one to three digits long, pointing either way."""
    length = int(height * rng.uniform(1, 3))
    canvas = np.zeros((height, length), np.float32)
    ends = [(2, height // 2 + int(rng.integers(-height // 5, height // 5 + 1))), (length - 3, height // 2)]
    if rng.uniform() < 0.5:
        ends.reverse()
    cv2.arrowedLine(canvas, *ends, 1.0, max(1, height // 14), cv2.LINE_AA, tipLength=0.3 * height / length)
    return canvas


DISTRACTORS = {"mark": mark_alpha, "word": word_alpha, "arrow": arrow_alpha}


def smooth_noise(shape: tuple[int, int], sigma: tuple[float, float], rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise blurred by (sigma_x, sigma_y), scaled to unit spread."""
    noise = cv2.GaussianBlur(rng.normal(0, 1, shape).astype(np.float32), (0, 0), sigma[0], sigmaY=sigma[1])
    return noise / max(float(noise.std()), 1e-6)
