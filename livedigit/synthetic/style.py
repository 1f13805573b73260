"""How a generated clip looks: the Style of its page, ink, light and camera, and presets."""
from __future__ import annotations

from dataclasses import dataclass, replace


# How the ink is laid down: "pen" is MNIST's own stroke.
PENS = ("ballpoint", "pen", "felt-tip", "marker", "pencil")
GRAPHITE = (95, 92, 90)  # a pencil's grey, BGR


@dataclass(frozen=True)
class Style:
    """How a clip looks; presets below."""

    frame_size: tuple[int, int] = (640, 480)
    page_size: tuple[int, int] = (1400, 1000)
    digit_height: tuple[int, int] = (34, 50)     # on the page, pixels
    digit_gap: tuple[float, float] = (0.2, 0.45)  # between digits of a number, in digit heights
    rows: int = 9
    numbers_per_row: int = 6
    number_length: tuple[int, int] = (1, 5)       # digits a number, at least and below
    ink_colours: tuple = ((40, 30, 25),)          # BGR
    pen: str = "pen"                              # one of PENS
    pressure: float = 0.0                         # how unevenly the pen presses, 0 to 1
    paper_colour: tuple | None = None             # BGR; None: white
    ruled_lines: bool = False
    grid: bool = False
    dots: bool = False                            # dotted paper
    line_spacing: int = 56                        # of ruled lines, grid and dots, page pixels
    line_colour: tuple = (200, 160, 120)          # BGR
    line_width: int = 2
    marks_per_row: float = 0.0                    # handwritten letters, symbols, scribbles
    words_per_row: float = 0.0                    # printed words (g, q, a, o, l, I, O, S, Z, B, ...)
    arrows_per_row: float = 0.0
    boxed: float = 0.0                            # fraction of numbers with a box drawn around them
    underlined: float = 0.0                       # fraction of numbers underlined
    struck: float = 0.0                           # fraction of printed words struck through
    brightness: float = 1.0
    light_gradient: float = 0.15
    shadow: bool = False
    colour_cast: tuple = (1.0, 1.0, 1.0)          # BGR gains of the light
    glare: float = 0.0                            # a lamp's reflection, up to this much brighter
    blur: float = 0.6                             # defocus, pixels
    motion_blur: float = 0.0                      # length of the smear, pixels
    noise: float = 2.0
    jpeg_quality: int = 0                         # each frame through JPEG at this quality; 0: not
    shake: float = 0.0                            # hand shake, page pixels per frame
    lens: float = 0.0                             # the lens's radial distortion (camera.seen_through_lens): < 0 barrel
    curl: float = 0.0                             # the sheet's rows sag by this much of its width (camera.Curl)
    view_width: float = 0.62                      # fraction of the page width in view
    aim_at_writing: bool = False                  # the camera drifts over the page's digits, not all of it
    tilt: float = 0.06                            # perspective strength
    rotation: float = 0.0                         # the camera's roll, degrees
    surround: str = ""                            # what the page lies on: "" or one of SURROUNDS, PRESET_SURROUNDS
    margin: float = 0.0                           # how much of it shows, in page sizes on each side
    hands: bool = False                           # two hands hold the page up by its sides


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
    "desk": Style(page_size=(900, 650), rows=6, numbers_per_row=4, surround="desk", margin=0.35,
                  view_width=0.95, shake=2.0, blur=0.9),
    "wall-plaster": Style(page_size=(900, 650), rows=6, numbers_per_row=4, surround="plaster", margin=0.3,
                          view_width=0.95, shake=2.0, blur=0.9, ink_colours=((140, 50, 20), (40, 30, 25))),
    "held-up": Style(page_size=(900, 650), rows=6, numbers_per_row=3, surround="person", margin=0.35,
                     view_width=1.1, shake=4.0, blur=1.0, tilt=0.1, hands=True),
    # Three kinds of scene on which held-out clips scored worst (issues 14 and 15):
    "squared": Style(grid=True, line_colour=(190, 170, 150), ink_colours=((40, 40, 170),), pen="ballpoint"),
    "ruled-hd": Style(frame_size=(1280, 720), page_size=(1800, 1250), digit_height=(45, 80), rows=9,
                      numbers_per_row=5, ruled_lines=True, marks_per_row=1.2, words_per_row=0.8, boxed=0.15,
                      underlined=0.1, ink_colours=((40, 30, 25), (140, 50, 20), (110, 105, 100)), view_width=0.75),
    "squared-far": Style(frame_size=(1920, 1080), page_size=(2400, 1700), digit_height=(20, 50), rows=12,
                         numbers_per_row=7, grid=True, marks_per_row=0.8,
                         ink_colours=((40, 30, 25), (140, 50, 20), (40, 40, 170)), view_width=1.0),
    # and two more of the held-out kinds (issue 14): dim, shaky pencil; a thick marker under a lamp's glare
    "pencil-dim": Style(pen="pencil", ink_colours=(GRAPHITE,), brightness=0.45, noise=6.0, blur=1.2, shake=4.0,
                        shadow=True, light_gradient=0.3),
    "marker-glare": Style(frame_size=(1280, 720), page_size=(1800, 1250), rows=8, numbers_per_row=6, pen="marker",
                          ink_colours=((40, 30, 25), (140, 50, 20)), glare=0.6, marks_per_row=0.8, view_width=0.75),
}


def preset(name: str, **changes) -> Style:
    return replace(PRESETS[name], **changes)
