"""Detection parameters and the calibration profiles (JSON) that set them."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .errors import InputError

PROFILE_VERSION = 1
THRESHOLD_METHODS = ("background", "adaptive", "otsu")


@dataclass(frozen=True)
class DetectionParams:
    threshold: str = "background"   # "background" (paper brightness estimated around each pixel),
                                    # "adaptive" (OpenCV's mean of a block) or "otsu" (one global level)
    window: int = 25                # background: neighbourhood, percent of the frame's shorter side
    block_size: int = 31            # adaptive: neighbourhood, odd pixels
    c: int = 12                     # background and adaptive: how much darker than the paper ink is, grey levels
                                    # (background: on paper lit to grey level 130 or more, on dimmer paper in
                                    # proportion; down to 0.7 of it where all the ink in view is faint)
    blur: int = 3                   # Gaussian blur kernel before thresholding, odd; 1 = none
    morph_kernel: int = 2           # closing kernel that joins broken strokes; 1 = none
    min_height: int = 10            # smallest digit, pixels
    max_height: int = 90            # largest digit, percent of the frame height
    max_aspect: float = 1.3         # widest digit, width / height
    min_fill: float = 0.02          # least ink in the digit's box, fraction
    confidence: float = 0.6         # least classifier confidence to report a digit
    confirm_frames: int = 1         # video: a new digit is reported once read the same in this many frames; 1 = at once
    page: bool = True               # read only on the paper in view, where one stands out from its surroundings


# Field name -> (type, lowest, highest); odd-only fields are listed in ODD_FIELDS.
LIMITS = {
    "window": (int, 2, 100),
    "block_size": (int, 3, 301),
    "c": (int, -50, 100),
    "blur": (int, 1, 31),
    "morph_kernel": (int, 1, 15),
    "min_height": (int, 4, 4000),
    "max_height": (int, 1, 100),
    "max_aspect": (float, 0.2, 10.0),
    "min_fill": (float, 0.0, 1.0),
    "confidence": (float, 0.0, 1.0),
    "confirm_frames": (int, 1, 8),
}
ODD_FIELDS = ("block_size", "blur")


def validate(values: dict, origin: str) -> DetectionParams:
    """Check every field of a profile; the error names the first bad one."""
    known = {f.name for f in fields(DetectionParams)}
    for name, value in values.items():
        if name not in known:
            raise InputError(f"profile {origin}: unknown field '{name}'")
        if name == "page":
            if not isinstance(value, bool):
                raise InputError(f"profile {origin}: field 'page' must be true or false")
            continue
        if name == "threshold":
            if value not in THRESHOLD_METHODS:
                raise InputError(f"profile {origin}: field 'threshold' must be one of {', '.join(THRESHOLD_METHODS)}")
            continue
        kind, lowest, highest = LIMITS[name]
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not numeric or (kind is int and not isinstance(value, int)):
            raise InputError(f"profile {origin}: field '{name}' must be {'an integer' if kind is int else 'a number'}")
        if not lowest <= value <= highest:
            raise InputError(f"profile {origin}: field '{name}' is {value}, allowed {lowest} to {highest}")
        if name in ODD_FIELDS and value % 2 == 0:
            raise InputError(f"profile {origin}: field '{name}' must be odd, got {value}")
    converted = {name: LIMITS[name][0](value) if name in LIMITS else value for name, value in values.items()}
    return DetectionParams(**converted)


def load_profile(path: str | Path) -> DetectionParams:
    """Read a calibration profile; unset fields keep their defaults."""
    path = Path(path)
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(f"profile {path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"profile {path}: not valid JSON ({error})") from None
    if not isinstance(document, dict):
        raise InputError(f"profile {path}: must be a JSON object")
    version = document.pop("version", None)
    if version != PROFILE_VERSION:
        raise InputError(f"profile {path}: field 'version' must be {PROFILE_VERSION}")
    document.pop("name", None)
    return validate(document, str(path))


def save_profile(params: DetectionParams, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"version": PROFILE_VERSION, "name": path.stem, **asdict(params)}
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path
