"""Calibration profiles: defaults shipped as JSON, strict validation that names the field."""
import json

import pytest

from livedigit import DetectionParams, InputError, load_profile, save_profile
from livedigit.shipped import shipped_file


def test_shipped_default_profile_holds_the_defaults():
    assert load_profile(shipped_file("calibration", "default.json")) == DetectionParams()


def test_saved_profile_loads_back_the_same(tmp_path):
    params = DetectionParams(threshold="otsu", block_size=41, c=7, confidence=0.8)
    path = save_profile(params, tmp_path / "desk.json")
    assert json.loads(path.read_text())["version"] == 1
    assert load_profile(path) == params


def test_unset_fields_keep_their_defaults(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('{"version": 1, "c": 20}')
    assert load_profile(path) == DetectionParams(c=20)


@pytest.mark.parametrize("change, field", [
    ({"colour": 3}, "colour"),
    ({"block_size": "big"}, "block_size"),
    ({"block_size": 30}, "block_size"),          # must be odd
    ({"confidence": 1.5}, "confidence"),
    ({"min_height": 2.5}, "min_height"),
    ({"threshold": "magic"}, "threshold"),
    ({"version": 7}, "version"),
])
def test_bad_fields_are_refused_by_name(tmp_path, change, field):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"version": 1, **change}))
    with pytest.raises(InputError, match=f"'{field}'"):
        load_profile(path)


def test_invalid_json_is_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        load_profile(path)
