"""Scenes drawn at random: every factor of a clip drawn on its own over a wide range.

    scene = random_scene(seed)          # the same seed, the same scene
    make_clip(digits, labels, scene.style, frames, seed)

Resolution 640x480 to 1920x1080; digits 14 px tall to 40 % of the frame; 1 to 100 of
them; inks and pens; plain, ruled, squared, dotted, coloured paper, sticky notes and
whiteboards; dim to glaring light with colour casts and shadows; a near or far camera,
tilted, rolled, shaking, blurred or smeared, its lens bending straight lines; the sheet
bowed; MPEG-4, MJPEG or JPEG-damaged frames; what the page lies on; letters, printed
words, arrows, boxes, underlines and strike-throughs.
`Scene.factors` names the value each factor took, for scoring by factor.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .camera import MIN_DIGIT_HEIGHT
from .style import GRAPHITE, PENS, Style
from .surroundings import SURROUNDS

RESOLUTIONS = ((640, 480), (800, 600), (960, 544), (1024, 768), (1280, 720), (1600, 900), (1920, 1080))
INKS = {"black": (40, 30, 25), "blue": (140, 50, 20), "red": (40, 40, 170), "green": (60, 120, 40)}
PAPERS = ("plain", "ruled", "squared", "dotted", "coloured", "sticky note", "whiteboard")
PAPER_COLOURS = {"coloured": ((200, 225, 245), (225, 205, 240), (240, 225, 200), (205, 240, 215)),
                 "sticky note": ((120, 235, 250), (170, 200, 250), (160, 250, 190)),
                 "whiteboard": ((248, 248, 246),)}
LINE_COLOURS = ((200, 160, 120), (190, 190, 190), (150, 150, 230), (170, 210, 170), (210, 120, 60))
SURROUNDINGS = ("none", *SURROUNDS)
ENCODINGS = {"mp4v": ".mp4", "mjpeg": ".avi", "jpeg": ".mp4"}
# The page's digits are drawn this tall at least (MNIST's own are 20 px) and at most.
PAGE_DIGIT_HEIGHT = (20, 64)
SHEET_ASPECT = 1.4
# The camera sees at most this much of the page's width before what it lies on must show.
PAGE_FILLS_VIEW = 0.92


@dataclass(frozen=True)
class Scene:
    seed: int
    style: Style
    factors: dict[str, str]   # factor -> the value drawn, as a word or a range
    suffix: str               # the video container its encoding is written in: ".mp4" or ".avi"


def random_scene(seed: int) -> Scene:
    rng = np.random.default_rng(seed)
    frame_size = RESOLUTIONS[rng.integers(len(RESOLUTIONS))]
    digit_height = log_uniform(rng, MIN_DIGIT_HEIGHT, 0.4 * frame_size[1])
    digits = round(log_uniform(rng, 1, 100))
    ink, pen = str(rng.choice(list(INKS))), str(rng.choice(PENS))
    paper_kind = str(rng.choice(PAPERS))
    light, surround_kind = str(rng.choice(("dim", "normal", "bright"))), str(rng.choice(SURROUNDINGS))
    encoding = str(rng.choice(list(ENCODINGS)))
    page_height = int(np.clip(round(1.2 * digit_height), *PAGE_DIGIT_HEIGHT))
    factors = {"resolution": f"{frame_size[0]}x{frame_size[1]}", "digit height": bucket(digit_height, (24, 48, 96)),
               "digits": bucket(digits, (5, 20, 50)), "ink": ink, "pen": pen, "paper": paper_kind,
               "light": light, "surroundings": surround_kind, "encoding": encoding}
    fields = {"frame_size": frame_size, "jpeg_quality": int(rng.integers(20, 60)) if encoding == "jpeg" else 0,
              **layout(digits, page_height, rng),
              **inking(ink, pen, rng),
              **paper(paper_kind, page_height, rng),
              **lighting(light, rng, factors),
              **camera(rng, factors),
              **distractors(rng, factors),
              **lens(seed, factors),
              **curl(seed, factors)}
    fields["page_size"] = room_for_distractors(fields, page_height)
    fields.update(view(fields, frame_size, page_height / digit_height, surround_kind, rng))
    return Scene(seed, Style(**fields), factors, ENCODINGS[encoding])


def log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(np.exp(rng.uniform(np.log(low), np.log(max(high, low)))))


def bucket(value: float, edges: tuple) -> str:
    """'<24', '24-48', ... : which of the ranges cut at `edges` holds the value."""
    for low, high in zip((None,) + edges, edges + (None,)):
        if high is None or value < high:
            return f"<{high}" if low is None else f">={low}" if high is None else f"{low}-{high}"


def layout(digits: int, page_height: int, rng: np.random.Generator) -> dict:
    """Numbers in rows, about `digits` digits in all, on a page just large enough for them."""
    longest = min(4, digits)
    numbers = max(1, round(digits / ((1 + longest) / 2)))
    pitch = page_height * rng.uniform(1.6, 2.6)
    number_width = 1.3 * ((1 + longest) / 2 * 1.1 * page_height + 50)
    # as many rows as make the page about as wide as a sheet held sideways (1.4 : 1)
    rows = int(np.clip(round(math.sqrt(numbers * number_width / (SHEET_ASPECT * pitch))), 1, numbers))
    per_row = math.ceil(numbers / rows)
    return {"digit_height": (round(0.87 * page_height), round(1.15 * page_height) + 1),
            "rows": rows, "numbers_per_row": per_row, "number_length": (1, longest + 1),
            "page_size": (int(90 + per_row * number_width), int(80 + rows * pitch))}


def inking(ink: str, pen: str, rng: np.random.Generator) -> dict:
    colour = GRAPHITE if pen == "pencil" else INKS[ink]
    pressure = float(rng.uniform(0.3, 0.8)) if rng.uniform() < 0.3 else 0.0
    return {"ink_colours": (colour,), "pen": pen, "pressure": pressure}


def paper(kind: str, page_height: int, rng: np.random.Generator) -> dict:
    colours = PAPER_COLOURS.get(kind)
    fields = {"paper_colour": colours[rng.integers(len(colours))] if colours else None,
              "line_spacing": max(8, round(page_height * rng.uniform(0.6, 2.4))),
              "line_colour": LINE_COLOURS[rng.integers(len(LINE_COLOURS))],
              "line_width": int(rng.integers(1, 4))}
    return {**fields, "ruled_lines": kind == "ruled", "grid": kind == "squared", "dots": kind == "dotted"}


def lighting(light: str, rng: np.random.Generator, factors: dict) -> dict:
    brightness = {"dim": (0.35, 0.6), "normal": (0.6, 0.95), "bright": (0.95, 1.15)}[light]
    shadow, glare, cast = rng.uniform() < 0.3, rng.uniform() < 0.2, rng.uniform() < 0.4
    factors.update({"shadow": str(shadow), "glare": str(glare), "colour cast": str(cast)})
    return {"brightness": float(rng.uniform(*brightness)), "light_gradient": float(rng.uniform(0, 0.4)),
            "shadow": bool(shadow), "glare": float(rng.uniform(0.3, 0.8)) if glare else 0.0,
            "colour_cast": tuple(float(g) for g in rng.uniform(0.8, 1.1, 3)) if cast else (1.0, 1.0, 1.0)}


def camera(rng: np.random.Generator, factors: dict) -> dict:
    tilt, rotation = float(rng.uniform(0, 0.35)), float(rng.uniform(-30, 30))
    blur = float(rng.uniform(0.3, 2.2))
    motion_blur = float(rng.uniform(2, 10)) if rng.uniform() < 0.4 else 0.0
    factors.update({"tilt": bucket(tilt, (0.1, 0.2)), "rotation": bucket(abs(rotation), (10, 20)),
                    "defocus": bucket(blur, (1.0, 1.6)), "motion blur": str(motion_blur > 0)})
    return {"tilt": tilt, "rotation": rotation, "blur": blur, "motion_blur": motion_blur,
            "shake": float(rng.uniform(0, 5)), "noise": float(rng.uniform(1, 8))}


# The lens and the sheet's curl are each drawn from a stream of their own: every other
# factor of a seed's scene stays as it was drawn before lenses bent the scenes and sheets
# bowed (both 2026-12-07), so that figures taken before and after compare scene by scene.
LENS_STREAM = 1
CURL_STREAM = 2
# Half the scenes are seen through a lens that bends them this much (camera.seen_through_lens):
# a webcam's wide lens bows straight lines out (barrel, < 0), a long one a little in.
LENS_DISTORTION = (-0.12, 0.04)
# Half the sheets bow this much of their width (camera.Curl): held up by their sides they
# sag (> 0), lying curled they arch.
CURL_SAG = (-0.04, 0.04)


def lens(seed: int, factors: dict) -> dict:
    distortion = drawn_apart(seed, LENS_STREAM, LENS_DISTORTION)
    factors["lens"] = "none" if not distortion else "barrel" if distortion < 0 else "pincushion"
    return {"lens": distortion}


def curl(seed: int, factors: dict) -> dict:
    sag = drawn_apart(seed, CURL_STREAM, CURL_SAG)
    factors["curl"] = "none" if not sag else "sagging" if sag > 0 else "arching"
    return {"curl": sag}


def drawn_apart(seed: int, stream: int, span: tuple[float, float]) -> float:
    """For half the seeds a value drawn from `span`, else 0, from the seed's `stream` of its own."""
    rng = np.random.default_rng((seed, stream))
    return float(rng.uniform(*span)) if rng.uniform() < 0.5 else 0.0


def distractors(rng: np.random.Generator, factors: dict) -> dict:
    """Each kind of distractor present or not, on its own."""
    present = {kind: bool(rng.uniform() < 0.4) for kind in
               ("marks", "printed words", "arrows", "boxes", "underlines", "strike-throughs")}
    factors.update({kind: str(on) for kind, on in present.items()})
    rate = lambda kind, amount: amount if present[kind] else 0.0  # noqa: E731
    return {"marks_per_row": rate("marks", 1.2), "words_per_row": rate("printed words", 1.5),
            "arrows_per_row": rate("arrows", 0.6), "boxed": rate("boxes", 0.3),
            "underlined": rate("underlines", 0.3), "struck": rate("strike-throughs", 0.5)}


# How wide a row's distractors are at most, in page digit heights with the gap after them
# (a scribble 1.5, a printed word of 6 letters, an arrow of 3 digits).
DISTRACTOR_WIDTH = {"marks_per_row": 2.0, "words_per_row": 3.5, "arrows_per_row": 3.5}


def room_for_distractors(fields: dict, page_height: int) -> tuple[int, int]:
    """The page widened for what a row draws beside its numbers, so that no digit is pushed
    off its right edge: the count of each kind is Poisson, allowed to two deviations above."""
    extra = sum(width * page_height * (rate + 2 * math.sqrt(rate)) for kind, width in DISTRACTOR_WIDTH.items()
                if (rate := fields[kind]))
    width, height = fields["page_size"]
    return int(width + extra), height


def view(fields: dict, frame_size: tuple[int, int], page_per_frame_pixel: float, surround_kind: str,
         rng: np.random.Generator) -> dict:
    """How much of the page the camera sees for the digits to come out the drawn height, and
    what shows around the page: where the view is wider than the page, a plain table at least."""
    page_width = fields["page_size"][0]
    view_width = frame_size[0] * page_per_frame_pixel / page_width
    surround = "" if surround_kind == "none" else surround_kind
    if view_width > PAGE_FILLS_VIEW and not surround:
        surround = "table"
    margin = max((view_width - 1) / 2 + 0.15, float(rng.uniform(0.1, 0.4))) if surround else 0.0
    return {"view_width": view_width, "surround": surround, "margin": margin, "aim_at_writing": True}
