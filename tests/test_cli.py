"""The command line contract: sources, JSONL schema, annotated video, exit codes."""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from livedigit.evaluate import score_clip

from conftest import film, run_cli, start_cli, wait_for_lines


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def count_frames(path):
    capture = cv2.VideoCapture(str(path))
    frames = 0
    while capture.read()[0]:
        frames += 1
    return frames


def test_a_video_gives_one_jsonl_line_per_frame_in_the_documented_schema(clip, tmp_path):
    video, truth = clip
    jsonl, annotated = tmp_path / "out.jsonl", tmp_path / "out.mp4"
    result = run_cli("--source", str(video), "--no-display", "--jsonl", str(jsonl), "--save-video", str(annotated))
    assert result.returncode == 0, result.stderr
    lines = read_jsonl(jsonl)
    assert [line["frame"] for line in lines] == list(range(12))
    for line in lines:
        assert line["source"] == str(video)
        assert isinstance(line["time_ms"], float) and line["time_ms"] > 0
        for detection in line["detections"]:
            assert set(detection) >= {"box", "digit", "confidence"}
            assert len(detection["box"]) == 4 and all(isinstance(v, int) for v in detection["box"])
            assert isinstance(detection["digit"], int) and 0 <= detection["digit"] <= 9
            assert 0 <= detection["confidence"] <= 1
    assert count_frames(annotated) == 12
    capture = cv2.VideoCapture(str(annotated))
    assert (capture.get(cv2.CAP_PROP_FRAME_WIDTH), capture.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (640, 480)
    assert capture.get(cv2.CAP_PROP_FPS) == pytest.approx(30, abs=0.5)


def test_digits_on_a_clean_page_are_read_with_f1_above_0_9(clip, tmp_path):
    video, truth = clip
    jsonl = tmp_path / "out.jsonl"
    assert run_cli("--source", str(video), "--no-display", "--jsonl", str(jsonl)).returncode == 0
    assert score_clip(read_jsonl(jsonl), truth).f1 >= 0.9


def test_a_1080p_clip_of_90_digits_a_frame_is_read_with_f1_above_0_97(mnist, tmp_path):
    from livedigit.synthetic import preset

    video = tmp_path / "hd1080.avi"
    truth = film(mnist, preset("hd", frame_size=(1920, 1080)), frames=8, seed=4, path=video)
    result = run_cli("--source", str(video), "--no-display", "--jsonl", "-")
    assert result.returncode == 0, result.stderr
    assert score_clip([json.loads(line) for line in result.stdout.splitlines()], truth).f1 >= 0.97


def test_max_frames_stops_early_and_demo_runs_the_shipped_clip(tmp_path):
    jsonl = tmp_path / "demo.jsonl"
    result = run_cli("--demo", "--max-frames", "5", "--jsonl", str(jsonl))
    assert result.returncode == 0, result.stderr
    assert "headless" in result.stderr  # no DISPLAY: it says so and carries on
    lines = read_jsonl(jsonl)
    assert len(lines) == 5 and sum(len(line["detections"]) for line in lines) > 50


def test_a_folder_of_images_reads_each_image_and_skips_other_files_with_a_warning(tmp_path, clip):
    video, _ = clip
    capture = cv2.VideoCapture(str(video))
    for name in ("b.png", "a.jpg"):
        cv2.imwrite(str(tmp_path / name), capture.read()[1])
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG garbage")
    jsonl = tmp_path / "out" / "images.jsonl"
    jsonl.parent.mkdir()
    result = run_cli("--source", str(tmp_path), "--no-display", "--jsonl", str(jsonl))
    assert result.returncode == 0, result.stderr
    assert "notes.txt" in result.stderr and "broken.png" in result.stderr
    lines = read_jsonl(jsonl)
    assert [line["source"] for line in lines] == [str(tmp_path / "a.jpg"), str(tmp_path / "b.png")]
    assert all(line["detections"] for line in lines)


@pytest.mark.parametrize("make_input, problem", [
    (lambda d: d / "missing.mp4", "no such file"),
    (lambda d: (d / "noise.mp4").write_bytes(np.random.default_rng(0).bytes(50000)) and d / "noise.mp4",
     "not a readable video"),
    (lambda d: (d / "notes.txt").write_text("hello") and d / "notes.txt", "not a readable video"),
    (lambda d: (d / "empty").mkdir() or d / "empty", "no image files"),
    (lambda d: (d / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(3000)) and d / "broken.png",
     "cannot be decoded"),
])
def test_bad_sources_fail_with_one_line_naming_the_input(tmp_path, make_input, problem):
    source = make_input(tmp_path)
    result = run_cli("--source", str(source), "--no-display")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert str(source) in result.stderr and problem in result.stderr


@pytest.mark.parametrize("args, named", [
    (["--jsonl", "/nonexistent/folder/out.jsonl"], "--jsonl"),
    (["--save-video", "/nonexistent/out.mp4"], "--save-video"),
    (["--model", "/nonexistent/model.keras"], "model"),
    (["--jsonl", "/proc/out.jsonl"], "--jsonl /proc/out.jsonl: cannot be written"),  # refused even to root
])
def test_bad_settings_fail_before_any_work(clip, args, named):
    result = run_cli("--source", str(clip[0]), "--no-display", *args)
    assert result.returncode == 2 and named in result.stderr and "Traceback" not in result.stderr


def test_a_bad_profile_is_refused_naming_the_field(clip, tmp_path):
    profile = tmp_path / "p.json"
    profile.write_text('{"version": 1, "block_size": 4}')
    result = run_cli("--source", str(clip[0]), "--no-display", "--profile", str(profile))
    assert result.returncode == 2 and "block_size" in result.stderr


def test_a_missing_camera_is_reported_quickly_in_our_line_alone():
    started = time.monotonic()
    result = run_cli("--source", "0", "--no-display")
    assert result.returncode == 2
    assert result.stderr == "livedigit: source 0: no camera at index 0\n"  # none of OpenCV's own lines
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_run_with_complete_outputs(tmp_path, sig, code, long_clip):
    jsonl, annotated = tmp_path / "out.jsonl", tmp_path / "out.avi"
    process = start_cli("--source", str(long_clip), "--no-display", "--jsonl", str(jsonl),
                        "--save-video", str(annotated))
    wait_for_lines(jsonl, 10)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == code, stderr
    lines = read_jsonl(jsonl)
    assert 10 <= len(lines) < 800
    assert count_frames(annotated) == len(lines)


def test_version_prints_the_package_version_and_exits_0():
    import livedigit

    for module in ("livedigit", "livedigit.evaluate"):
        result = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True)
        assert result.returncode == 0
        assert result.stdout.strip() == f"{module.replace('.evaluate', '-eval')} {livedigit.__version__}"


def test_jsonl_dash_writes_json_lines_alone_to_stdout_and_the_summary_to_stderr(clip):
    result = run_cli("--source", str(clip[0]), "--no-display", "--jsonl", "-")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["frame"] for line in lines] == list(range(12))
    assert "12 frames" in result.stderr
    assert not (Path.cwd() / "-").exists()


def test_a_reader_of_stdout_that_stops_early_ends_the_run_quietly(long_clip):
    process = start_cli("--source", str(long_clip), "--no-display", "--jsonl", "-")
    first = process.stdout.readline()
    process.stdout.close()  # as `| head -1` does
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == 0 and json.loads(first)["frame"] == 0
    assert "Traceback" not in stderr and "Broken pipe" not in stderr


def test_a_video_read_headless_on_a_terminal_shows_a_progress_bar_then_the_summary(clip, tmp_path):
    import fcntl
    import os
    import pty
    import struct
    import termios

    terminal, stderr = pty.openpty()
    fcntl.ioctl(stderr, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen([sys.executable, "-m", "livedigit", "--source", str(clip[0]), "--no-display",
                                "--jsonl", str(tmp_path / "out.jsonl")], stderr=stderr, stdout=subprocess.DEVNULL)
    os.close(stderr)
    shown = b""
    while chunk := read_or_nothing(terminal):
        shown += chunk
    assert process.wait(timeout=60) == 0
    text = shown.decode()
    assert "/12 [" in text and "frame/s" in text  # a bar of the 12 frames
    assert text.rstrip(" \r\n").splitlines()[-1].lstrip("\r ").startswith("livedigit: 12 frames")


def read_or_nothing(fd):
    import os

    try:
        return os.read(fd, 4096)
    except OSError:  # the other end closed
        return b""
