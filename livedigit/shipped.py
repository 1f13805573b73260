"""Files shipped with livedigit: models/, samples/ and calibration/.

An installed package carries them inside itself (setup.cfg maps each folder to a
subpackage); a source checkout or editable install has them beside the package.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def shipped_file(folder: str, name: str) -> Path:
    installed = PACKAGE / folder / name
    return installed if installed.exists() else PACKAGE.parent / folder / name
