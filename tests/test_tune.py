"""The tuning UI in a real window under Xvfb: keys save, reset and quit; trackbars take effect."""
import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from livedigit import DetectionParams, load_profile

pytestmark = pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("xdotool")),
                                reason="needs Xvfb and xdotool (apt-get install xvfb xdotool)")


@pytest.fixture(scope="module")
def display():
    number = 90 + os.getpid() % 9
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    yield f":{number}"
    server.terminate()
    server.wait()


def xdotool(display, *args):
    return subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display},
                          capture_output=True, text=True, timeout=10)


def wait_for_window(display, name, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = xdotool(display, "search", "--name", f"^{name}$").stdout.split()
        if found:
            return found[0]
        time.sleep(0.3)
    raise AssertionError(f"no window named {name!r} appeared")


def press(display, window, key):
    xdotool(display, "windowactivate", "--sync", window)
    xdotool(display, "key", "--window", window, key)


def start_tuning(display, clip, profile):
    return subprocess.Popen([sys.executable, "-m", "livedigit", "--source", str(clip), "--tune",
                             "--profile", str(profile)],
                            env={**os.environ, "DISPLAY": display}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def press_until(display, window, keys, done, timeout=30):
    """Press the keys, in order, until `done()` says they took effect: a key sent while the
    window is still settling can be lost, and pressing again does no harm."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for key in keys:
            press(display, window, key)
        polled_until = min(time.monotonic() + 2.0, deadline)
        while time.monotonic() < polled_until:
            if done():
                return True
            time.sleep(0.2)
    return False


def saved(path):
    """The profile saved at `path`, or None while there is none (or it is being written)."""
    try:
        return load_profile(path)
    except Exception:
        return None


def quit_tuning(display, window, process):
    assert press_until(display, window, ["q"], lambda: process.poll() is not None)
    return process.communicate(timeout=20)


def test_tune_shows_its_windows_saves_the_profile_on_s_and_quits_on_q(display, clip, tmp_path):
    profile = tmp_path / "desk.json"
    process = start_tuning(display, clip[0], profile)
    try:
        video = wait_for_window(display, "livedigit")
        wait_for_window(display, "livedigit mask")
        wait_for_window(display, "livedigit controls")
        assert press_until(display, video, ["s"], profile.exists)
        stdout, stderr = quit_tuning(display, video, process)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert str(profile) in stdout
    assert load_profile(profile) == DetectionParams()
    headless = subprocess.run([sys.executable, "-m", "livedigit", "--source", str(clip[0]), "--no-display",
                               "--profile", str(profile), "--max-frames", "2"], capture_output=True, text=True)
    assert headless.returncode == 0, headless.stderr


def window_geometry(display, window):
    shell = xdotool(display, "getwindowgeometry", "--shell", window).stdout
    values = dict(line.split("=") for line in shell.split())
    return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])


def test_a_moved_trackbar_changes_the_saved_profile_and_the_detections(display, clip, tmp_path):
    profile = tmp_path / "moved.json"
    process = start_tuning(display, clip[0], profile)
    try:
        video = wait_for_window(display, "livedigit")
        controls = wait_for_window(display, "livedigit controls")
        time.sleep(2.0)  # let the window manager-less X server settle the layout

        def move_confidence_to_the_end():
            # The trackbars stack at the bottom of the controls window, about 22 pixels
            # apart; the last is "confidence". Click near its right end, then End (100 %).
            x, y, width, height = window_geometry(display, controls)
            # not --sync: it waits for the pointer to move, and on a second try the pointer
            # is there already (xdotool before 2024, jordansissel/xdotool#463)
            xdotool(display, "mousemove", str(x + width - 30), str(y + height - 13))
            time.sleep(0.2)
            xdotool(display, "click", "1")
            xdotool(display, "key", "End")

        def saved_moved():
            tuned = saved(profile)
            return tuned is not None and tuned.confidence > 0.9

        # A click, like a key, can be lost while the windows settle: move and save again
        # until the saved profile shows the move.
        for _ in range(3):
            move_confidence_to_the_end()
            if press_until(display, video, ["s"], saved_moved, timeout=10):
                break
        quit_tuning(display, video, process)
    finally:
        process.kill()
    tuned = load_profile(profile)
    assert tuned.confidence > 0.9
    result = subprocess.run([sys.executable, "-m", "livedigit", "--source", str(clip[0]), "--no-display",
                             "--profile", str(profile), "--max-frames", "1", "--jsonl", str(tmp_path / "o.jsonl")],
                            capture_output=True, text=True)
    assert result.returncode == 0
    detections = json.loads((tmp_path / "o.jsonl").read_text())["detections"]
    assert all(d["confidence"] >= tuned.confidence for d in detections)


def test_r_resets_and_a_auto_calibrates(display, clip, tmp_path):
    profile = tmp_path / "auto.json"
    profile.write_text(json.dumps({"version": 1, "c": 40, "block_size": 101}))
    process = start_tuning(display, clip[0], profile)
    try:
        video = wait_for_window(display, "livedigit")
        assert press_until(display, video, ["r", "s"], lambda: saved(profile) == DetectionParams())
        assert press_until(display, video, ["a", "s"], lambda: saved(profile) not in (None, DetectionParams()))
        calibrated = saved(profile)
        quit_tuning(display, video, process)
    finally:
        process.kill()
    assert calibrated.threshold == DetectionParams().threshold  # the method in use is kept
    assert calibrated.block_size % 2 == 1 and 8 <= calibrated.c <= 60
    assert calibrated != DetectionParams()
