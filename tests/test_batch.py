"""livedigit-batch: one job per video and per folder of images, outputs whole and inside --out,
the same detections as single runs, resume after a kill, failures kept to their own job; the
same jobs as Ray tasks on a real local Ray and on a two-node cluster simulated on this machine,
where a worker killed mid-job has its task run again."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from ray.cluster_utils import Cluster

from livedigit.batch import run_batch

from conftest import run_cli


def batch(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "livedigit.batch.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout)


def detections(path):
    return [[(d["box"], d["digit"]) for d in json.loads(line)["detections"]] for line in open(path)]


def summary(out):
    import csv

    return {Path(row["input"]).name: row for row in csv.DictReader(open(out / "summary.csv"))}


def files_under(folder):
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


@pytest.fixture(scope="module")
def archive(clip, tmp_path_factory):
    """in/a.avi, in/sub/b.avi, in/sub/broken.mp4 (not a video), in/pages/ (two images), in/notes.txt."""
    root = tmp_path_factory.mktemp("archive") / "in"
    (root / "sub").mkdir(parents=True)
    (root / "pages").mkdir()
    shutil.copy(clip[0], root / "a.avi")
    shutil.copy(clip[0], root / "sub" / "b.avi")
    # fixed bytes: a rare draw of random ones is taken by FFmpeg for a stream with no frame
    (root / "sub" / "broken.mp4").write_bytes(np.random.default_rng(0).bytes(30000))
    capture = cv2.VideoCapture(str(clip[0]))
    for name in ("p1.png", "p2.jpg"):
        cv2.imwrite(str(root / "pages" / name), capture.read()[1])
    (root / "notes.txt").write_text("not a video")
    return root


@pytest.fixture(scope="module")
def single_runs(archive, tmp_path_factory):
    """What `livedigit` alone writes for each job."""
    folder = tmp_path_factory.mktemp("single")
    for name, source in (("a", archive / "a.avi"), ("b", archive / "sub" / "b.avi"), ("pages", archive / "pages")):
        assert run_cli("--source", str(source), "--no-display", "--jsonl", str(folder / f"{name}.jsonl")).returncode == 0
    return folder


@pytest.fixture(scope="module")
def finished(archive, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch") / "out"
    return out, batch(archive, "--out", out)


def test_each_job_writes_what_a_single_run_writes_and_only_the_broken_video_fails(finished, single_runs, archive):
    out, result = finished
    assert result.returncode == 1, result.stderr
    assert files_under(out) == ["a.avi.jsonl", "pages/images.jsonl", "sub/b.avi.jsonl", "summary.csv"]
    assert detections(out / "a.avi.jsonl") == detections(single_runs / "a.jsonl")
    assert detections(out / "sub" / "b.avi.jsonl") == detections(single_runs / "b.jsonl")
    assert detections(out / "pages" / "images.jsonl") == detections(single_runs / "pages.jsonl")
    rows = summary(out)
    assert {name: row["status"] for name, row in rows.items()} == {
        "a.avi": "done", "b.avi": "done", "pages": "done", "broken.mp4": "failed"}
    assert "not a readable video" in rows["broken.mp4"]["error"] and "\n" not in rows["broken.mp4"]["error"]
    assert rows["a.avi"]["frames"] == "12" and int(rows["a.avi"]["digits"]) > 100 and "@0" in rows["a.avi"]["numbers"]
    assert f"skipping {archive / 'notes.txt'}, not a video or image file" in result.stderr
    assert "[4/4]" in result.stderr  # a line per finished job where stderr is no terminal


def test_a_second_run_skips_the_finished_jobs_and_force_redoes_them(finished, archive):
    out, _ = finished
    before = (out / "a.avi.jsonl").stat().st_mtime_ns
    again = batch(archive, "--out", out)
    assert again.returncode == 1
    assert summary(out)["a.avi"]["status"] == "already-done" and summary(out)["broken.mp4"]["status"] == "failed"
    assert f"{archive / 'a.avi'}: already-done" in again.stderr
    assert (out / "a.avi.jsonl").stat().st_mtime_ns == before
    forced = batch(archive / "a.avi", archive / "typo", "--out", out, "--force")
    assert forced.returncode == 0 and (out / "a.avi.jsonl").stat().st_mtime_ns != before
    assert f"skipping {archive / 'typo'}, no such file or folder" in forced.stderr


def test_killed_at_any_moment_then_run_again_gives_the_outputs_of_an_uninterrupted_run(finished, archive, tmp_path):
    out = tmp_path / "out"
    for delay in (0.5, 3.0):
        process = subprocess.Popen([sys.executable, "-m", "livedigit.batch.cli", str(archive), "--out", str(out)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert batch(archive, "--out", out).returncode == 1
    assert files_under(out) == files_under(finished[0])
    for name in ("a.avi.jsonl", "sub/b.avi.jsonl", "pages/images.jsonl"):
        assert detections(out / name) == detections(finished[0] / name)


def test_ctrl_c_stops_cleanly_keeping_finished_jobs_and_leaving_no_part_files(long_clip, archive, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(archive / "a.avi", inputs / "1-short.avi")
    shutil.copy(long_clip, inputs / "2-long.avi")
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "livedigit.batch.cli", str(inputs), "--out", str(out),
                                "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out / "2-long.avi.part.jsonl").exists():
        time.sleep(0.1)
    time.sleep(1)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert files_under(out) == ["1-short.avi.jsonl", "summary.csv"]
    assert list(summary(out)) == ["1-short.avi"]


def test_outputs_stay_inside_out_whatever_the_inputs_look_like(archive, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(archive / "a.avi", outside / "x.avi")
    (archive.parent / "link").mkdir(exist_ok=True)
    (archive.parent / "link" / "up").symlink_to(outside, target_is_directory=True)
    out = tmp_path / "out"
    inputs = [f"{archive}/../{archive.name}/sub/../a.avi", str((outside / "x.avi").resolve()),
              str(archive.parent / "link")]
    result = batch(*inputs, "--out", out)
    assert result.returncode == 0, result.stderr
    assert files_under(out) == ["a.avi.jsonl", "summary.csv", "x.avi.jsonl"]  # the link to a folder: not followed


@pytest.mark.parametrize("args, problem", [
    (["{archive}/notes.txt", "--out", "{tmp}/out"], "no videos or folders of images found"),
    (["{archive}", "--out", "/proc/out"], "--out /proc/out"),
])
def test_bad_usage_exits_2_with_one_line(archive, tmp_path, args, problem):
    result = batch(*(arg.format(archive=archive, tmp=tmp_path) for arg in args))
    assert result.returncode == 2 and problem in result.stderr and "Traceback" not in result.stderr


def test_the_python_api_returns_the_summary_rows(archive, tmp_path):
    rows = run_batch([str(archive / "sub")], tmp_path / "out", workers=2, save_video=True)
    assert [(Path(row["input"]).name, row["status"]) for row in rows] == [("b.avi", "done"), ("broken.mp4", "failed")]
    capture = cv2.VideoCapture(str(tmp_path / "out" / "b.avi.annotated.mp4"))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 12


def test_version():
    assert batch("--version").stdout.startswith("livedigit-batch 0.1.0")


def test_a_local_ray_started_for_the_run_gives_the_local_pools_outputs(finished, archive, tmp_path):
    out = tmp_path / "out"
    result = batch(archive, "--out", out, "--ray")
    assert result.returncode == 1, result.stderr
    assert files_under(out) == files_under(finished[0])
    for name in ("a.avi.jsonl", "sub/b.avi.jsonl", "pages/images.jsonl"):
        assert detections(out / name) == detections(finished[0] / name)
    assert summary(out)["broken.mp4"]["status"] == "failed"


@pytest.fixture
def two_nodes():
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    cluster.add_node(num_cpus=1)
    yield cluster
    cluster.shutdown()


def test_on_two_nodes_a_worker_killed_mid_job_is_run_again_and_no_line_is_lost_or_doubled(
        two_nodes, long_clip, archive, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(long_clip, inputs / "long.avi")
    shutil.copy(archive / "a.avi", inputs / "short.avi")
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "livedigit.batch.cli", str(inputs), "--out", str(out),
                                f"--ray={two_nodes.address}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    reader = wait_for_job_process("long.avi")
    time.sleep(2)  # mid-job
    worker = int(Path(f"/proc/{reader}/stat").read_text().split(")")[1].split()[1])  # its parent: the Ray worker
    os.kill(worker, signal.SIGKILL)
    os.kill(reader, signal.SIGKILL)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    lines = [json.loads(line) for line in open(out / "long.avi.jsonl")]
    assert [line["frame"] for line in lines] == list(range(800))
    single = tmp_path / "single.jsonl"
    subprocess.run([sys.executable, "-m", "livedigit", "--source", str(inputs / "long.avi"), "--no-display",
                    "--jsonl", str(single)], check=True, capture_output=True)
    assert detections(out / "long.avi.jsonl") == detections(single)
    assert {row["status"] for row in summary(out).values()} == {"done"}


def wait_for_job_process(name: str, timeout: float = 120) -> int:
    """The pid of the livedigit process a Ray task started on `name`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"livedigit" in arguments and any(a.endswith(name.encode()) for a in arguments) \
                    and any(b"livedigit-batch-" in a for a in arguments):
                return int(pid)
        time.sleep(0.2)
    raise AssertionError(f"no Ray task started livedigit on {name}")
