"""Synthetic marks that are not digits: letters, symbols, scribbles, boxes, lines, smudges.

Used to train the classifier's "not a digit" class and to scatter distractors on
generated test pages. Every mark is drawn as a binary ink mask (uint8, 255 = ink).
"""
from __future__ import annotations

import functools
from pathlib import Path

import cv2
import numpy as np

# Glyphs that no handwritten digit resembles. Left out: O, C, U, u, n (an open 0), l, I
# (a 1), S, Z, B, & (5, 2, 8), g, q (9), b, G (6), h, y, V, v (4, 7).
NON_DIGIT_GLYPHS = "AEFHKMNPRWXYefkmrtwx?+=#%*@<>"
HERSHEY_FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
)
CANVAS = 96


def _canvas() -> np.ndarray:
    return np.zeros((CANVAS, CANVAS), np.uint8)


def _thickness(rng: np.random.Generator) -> int:
    return int(rng.integers(1, 8))


def glyph(rng: np.random.Generator) -> np.ndarray:
    """A letter or symbol in a stroke font, slightly rotated and sheared."""
    canvas = _canvas()
    text = NON_DIGIT_GLYPHS[rng.integers(len(NON_DIGIT_GLYPHS))]
    font = HERSHEY_FONTS[rng.integers(len(HERSHEY_FONTS))] | (cv2.FONT_ITALIC * int(rng.integers(2)))
    thickness = _thickness(rng)
    cv2.putText(canvas, text, (22, 70), font, 2.0, 255, thickness, cv2.LINE_AA)
    angle, shear = rng.uniform(-15, 15), rng.uniform(-0.3, 0.3)
    matrix = cv2.getRotationMatrix2D((CANVAS / 2, CANVAS / 2), angle, 1.0)
    matrix[0, 1] += shear
    return cv2.warpAffine(canvas, matrix, (CANVAS, CANVAS))


def scribble(rng: np.random.Generator) -> np.ndarray:
    """A tangled random pen path."""
    canvas = _canvas()
    steps = rng.normal(0, 14, size=(int(rng.integers(6, 16)), 2))
    points = np.clip(np.cumsum(steps, axis=0) + CANVAS / 2, 8, CANVAS - 8).astype(np.int32)
    cv2.polylines(canvas, [points], False, 255, _thickness(rng), cv2.LINE_AA)
    return canvas


def box(rng: np.random.Generator) -> np.ndarray:
    """A rectangle of the kind drawn around an answer (rings are left out: they are zeros)."""
    canvas = _canvas()
    w, h = rng.integers(30, 90), rng.integers(20, 90)
    x, y = (CANVAS - w) // 2, (CANVAS - h) // 2
    cv2.rectangle(canvas, (int(x), int(y)), (int(x + w), int(y + h)), 255, _thickness(rng))
    rotation = cv2.getRotationMatrix2D((CANVAS / 2, CANVAS / 2), rng.uniform(-10, 10), 1.0)
    return cv2.warpAffine(canvas, rotation, (CANVAS, CANVAS))


def line(rng: np.random.Generator) -> np.ndarray:
    """An underline, dash or ruled-line fragment, never near vertical (that is a 1)."""
    canvas = _canvas()
    angle = np.deg2rad(rng.uniform(-50, 50))
    length = rng.uniform(30, 90)
    dx, dy = np.cos(angle) * length / 2, np.sin(angle) * length / 2
    centre = CANVAS / 2
    sag = rng.uniform(-6, 6)
    points = np.array([[centre - dx, centre - dy], [centre, centre + sag], [centre + dx, centre + dy]])
    cv2.polylines(canvas, [points.astype(np.int32)], False, 255, _thickness(rng), cv2.LINE_AA)
    return canvas


def arrow_or_cross(rng: np.random.Generator) -> np.ndarray:
    """Arrows, ticks, crosses and grid corners."""
    canvas = _canvas()
    c, r = CANVAS // 2, int(rng.integers(15, 40))
    thickness, shape = _thickness(rng), rng.integers(4)
    if shape == 0:
        cv2.arrowedLine(canvas, (c - r, c), (c + r, c), 255, thickness, cv2.LINE_AA, tipLength=0.4)
    elif shape == 1:
        cv2.polylines(canvas, [np.array([[c - r, c], [c - r // 3, c + r], [c + r, c - r]])], False, 255, thickness)
    elif shape == 2:
        cv2.line(canvas, (c - r, c - r), (c + r, c + r), 255, thickness)
        cv2.line(canvas, (c - r, c + r), (c + r, c - r), 255, thickness)
    else:
        cv2.line(canvas, (c - r, c), (c + r, c), 255, thickness)
        cv2.line(canvas, (c, c), (c, c + r), 255, thickness)
    rotation = cv2.getRotationMatrix2D((c, c), rng.uniform(0, 360), 1.0)
    return cv2.warpAffine(canvas, rotation, (CANVAS, CANVAS))


def smudge(rng: np.random.Generator) -> np.ndarray:
    """A filled blot of ink."""
    canvas = _canvas()
    for _ in range(int(rng.integers(1, 4))):
        centre = tuple(int(v) for v in rng.integers(35, 61, size=2))
        axes = tuple(int(v) for v in rng.integers(6, 25, size=2))
        cv2.ellipse(canvas, centre, axes, rng.uniform(0, 180), 0, 360, 255, -1, cv2.LINE_AA)
    return canvas


# Printed letters that handwriting can make look like digits (Z 2, S 5, B 8, g q 9, b G 6,
# y 4), and others of printed words; the model learns them beside digits printed in the
# same typefaces (scripts/train.py), so it tells them apart by shape, not by print.
# Left out: l I i O o (a 1 and a 0 in any hand).
PRINTED_LOOKALIKES = "ZzSsBGabdeghknpqrtuyL"
PRINT_LIKE_FONTS = (cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX,
                    cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_COMPLEX_SMALL)
# Typefaces of real print, as matplotlib ships them: sans, serif, monospace, Times-like,
# Computer Modern; regular, bold and slanted.
TRUETYPE_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSerif.ttf",
                  "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf",
                  "STIXGeneral.ttf", "STIXGeneralBol.ttf", "cmr10.ttf", "cmss10.ttf")
PRINTED_CAP_HEIGHT = 44  # pixels on the canvas


def printed_letter(rng: np.random.Generator) -> np.ndarray:
    """A printed letter (see `printed`)."""
    return printed(PRINTED_LOOKALIKES[rng.integers(len(PRINTED_LOOKALIKES))], rng)


def printed(text: str, rng: np.random.Generator) -> np.ndarray:
    """`text` printed upright in a stroke font of OpenCV's or a typeface of real print.
    Training only: the typefaces come with matplotlib (the `train` extra)."""
    choice = int(rng.integers(len(PRINT_LIKE_FONTS) + len(TRUETYPE_FONTS)))
    if choice < len(PRINT_LIKE_FONTS):
        canvas = _canvas()
        font = PRINT_LIKE_FONTS[choice]
        scale = PRINTED_CAP_HEIGHT / cv2.getTextSize("Z", font, 1.0, 1)[0][1]
        cv2.putText(canvas, text, (22, 70), font, scale, 255, int(rng.integers(1, 7)), cv2.LINE_AA)
    else:
        canvas = _typeset(text, TRUETYPE_FONTS[choice - len(PRINT_LIKE_FONTS)])
    rotation = cv2.getRotationMatrix2D((CANVAS / 2, CANVAS / 2), rng.uniform(-4, 4), 1.0)
    return cv2.warpAffine(canvas, rotation, (CANVAS, CANVAS))


def _typeset(text: str, font_file: str) -> np.ndarray:
    from PIL import Image, ImageDraw

    image = Image.new("L", (CANVAS, CANVAS))
    ImageDraw.Draw(image).text((CANVAS // 2, 70), text, fill=255, font=_truetype(font_file), anchor="ms")
    return np.asarray(image).copy()


@functools.cache
def _truetype(font_file: str):
    from matplotlib import get_data_path
    from PIL import ImageFont

    font = ImageFont.truetype(str(Path(get_data_path()) / "fonts" / "ttf" / font_file), 100)
    cap = font.getbbox("Z", anchor="ls")  # left, top, right, bottom about the baseline
    return ImageFont.truetype(font.path, round(100 * PRINTED_CAP_HEIGHT / -cap[1]))


MARK_KINDS = (glyph, glyph, glyph, scribble, box, line, arrow_or_cross, smudge)
# What the model learns as no digit; printed letters are not scattered on generated pages,
# which print whole words (synthetic.page).
TRAINING_MARK_KINDS = MARK_KINDS + (printed_letter,)


def random_mark(rng: np.random.Generator, kinds: tuple = MARK_KINDS) -> np.ndarray:
    """One random non-digit mark (of one of `kinds`) as a binary mask."""
    return as_mask(kinds[rng.integers(len(kinds))](rng))


def as_mask(canvas: np.ndarray) -> np.ndarray:
    """A drawn canvas as a binary ink mask."""
    return np.where(canvas > 127, 255, 0).astype(np.uint8)
