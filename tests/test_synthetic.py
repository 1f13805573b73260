"""Generated clips: frames of the preset's size with exact, stable ground truth."""
import numpy as np
import pytest

from livedigit.synthetic import PRESETS, make_clip, preset


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_films_its_page_with_ground_truth_inside_the_frame(mnist, name):
    style = preset(name)
    frames = list(make_clip(mnist["x_test"][:400], mnist["y_test"][:400], style, frames=3, seed=1))
    width, height = style.frame_size
    for image, items, _ in frames:
        assert image.shape == (height, width, 3) and image.dtype == np.uint8
        assert sum(item.label >= 0 for item in items) >= 15
        for item in items:
            x, y, w, h = item.box
            assert 0 < x and 0 < y and x + w < width and y + h < height
            assert -1 <= item.label <= 9
    first, second = ({item.id: item.label for item in items} for _, items, _ in frames[:2])
    assert all(first[key] == second[key] for key in first.keys() & second.keys())


def test_each_digit_knows_the_number_it_is_written_in(mnist):
    """Numbers are written left to right, one digit after the other: a number's digits
    have consecutive ids, the first of which names it (it may be out of view); marks are
    in no number."""
    _, items, _ = next(make_clip(mnist["x_test"][:400], mnist["y_test"][:400], preset("clean"), frames=1, seed=1))
    numbers = {}
    for item in items:
        assert (item.number >= 0) == (item.label >= 0)
        if item.label >= 0:
            numbers.setdefault(item.number, []).append(item.id)
    assert len(numbers) >= 10 and any(len(ids) > 1 for ids in numbers.values())
    assert all(ids == list(range(ids[0], ids[0] + len(ids))) and ids[0] >= number for number, ids in numbers.items())


def test_a_random_scene_replays_from_its_seed(mnist):
    from livedigit.synthetic import random_scene

    assert random_scene(7) == random_scene(7) and random_scene(7) != random_scene(8)
    runs = [list(make_clip(mnist["x_test"], mnist["y_test"], random_scene(7).style, frames=2, seed=7))
            for _ in range(2)]
    for (first, first_items, _), (second, second_items, _) in zip(*runs):
        assert np.array_equal(first, second) and first_items == second_items


def test_random_scenes_draw_every_factor_over_its_range():
    from livedigit.synthetic import random_scene

    scenes = [random_scene(seed) for seed in range(60)]
    for factor in scenes[0].factors:
        assert len({scene.factors[factor] for scene in scenes}) >= 2, factor
    widths = {scene.style.frame_size[0] for scene in scenes}
    assert min(widths) == 640 and max(widths) == 1920
    assert {scene.factors["paper"] for scene in scenes} >= {"ruled", "squared", "dotted", "sticky note", "whiteboard"}
    assert {scene.factors["pen"] for scene in scenes} == {"ballpoint", "pen", "felt-tip", "marker", "pencil"}
    assert {scene.factors["lens"] for scene in scenes} == {"none", "barrel", "pincushion"}
    assert {scene.factors["curl"] for scene in scenes} == {"none", "sagging", "arching"}


@pytest.mark.parametrize("seed", [2, 9, 14, 8, 12, 19, 39])
def test_a_random_scene_films_digits_with_ground_truth_inside_its_frame(mnist, seed):
    """Scenes 8 to 39 once showed no digit: the distractors of a row pushed its digits off
    the page (39), or the camera drifted over the page's margins and what lay around it."""
    from livedigit.synthetic import random_scene

    scene = random_scene(seed)
    width, height = scene.style.frame_size
    frames = list(make_clip(mnist["x_test"], mnist["y_test"], scene.style, frames=2, seed=seed))
    for image, items, _ in frames:
        assert image.shape == (height, width, 3)
        assert sum(item.label >= 0 for item in items) >= 1
        assert all(0 < x and 0 < y and x + w < width and y + h < height for x, y, w, h in (i.box for i in items))


def test_the_truth_gives_the_papers_corners_around_every_digit(mnist):
    import cv2

    frame, items, sheet = next(make_clip(mnist["x_test"], mnist["y_test"], preset("door"), frames=1, seed=2))
    assert sheet.shape == (4, 2)
    (left, top), (right, _), (_, bottom), _ = sheet
    assert left < right and top < bottom  # clockwise from the top-left
    for x, y, w, h in (item.box for item in items):
        assert cv2.pointPolygonTest(sheet, (x + w / 2, y + h / 2), False) > 0


def test_the_paper_in_view_is_cut_by_the_frame_and_the_horizon_of_a_steeply_tilted_page(mnist):
    """Seed 96: the camera, tilted far, sees beyond the page's horizon; projected whole, the
    sheet's far corners turned over into points thousands of pixels off the frame, and the
    outline crossed itself."""
    import cv2

    from livedigit.synthetic import random_scene

    frame, items, sheet = next(make_clip(mnist["x_test"], mnist["y_test"], random_scene(96).style, frames=1, seed=96))
    height, width = frame.shape[:2]
    assert len(sheet) > 4  # cut by the frame's edges
    assert ((sheet >= 0) & (sheet <= [width, height])).all()
    assert cv2.isContourConvex(sheet.reshape(-1, 1, 2))
    for x, y, w, h in (item.box for item in items if item.label >= 0):
        assert cv2.pointPolygonTest(sheet, (x + w / 2, y + h / 2), False) > 0


def test_a_lightly_pressed_pencil_digit_is_boxed_around_its_whole_stroke(mnist):
    """The truth boxed a digit where its ink's alpha passed 0.3: a pencil's grey under light,
    uneven pressure seldom does, so of these digits 16 were left out of the truth and
    others boxed by a few dark specks (1 px tall), though a reader sees them whole."""
    from livedigit.synthetic.page import write_page

    style = preset("clean", pen="pencil", pressure=0.8)
    page = write_page(mnist["x_test"][:200], mnist["y_test"][:200], style, np.random.default_rng(0))
    heights = [item.box[3] for item in page.items if item.label >= 0]
    assert len(heights) == 127
    assert min(heights) >= 0.8 * style.digit_height[0]


def test_the_truth_follows_a_digits_ink_not_the_box_it_was_drawn_in():
    """A stroke from the bottom-left to the top-right of its box: where the camera turns, the
    box's empty corners reach beyond the frame's edge while the ink stays in view."""
    import cv2

    from livedigit.synthetic.camera import items_in_view
    from livedigit.synthetic.page import inked_item, write_ink

    page = np.full((200, 200, 3), 235, np.float32)
    stroke = np.zeros((60, 60), np.float32)
    cv2.line(stroke, (0, 59), (59, 0), 1.0, 3)
    item = inked_item(write_ink(page, stroke, 100, 5, (30, 30, 30)), 1, 0)
    assert item.box == (100, 5, 60, 60)
    turn = cv2.getRotationMatrix2D((130.0, 35.0), 45, 1.0)  # the stroke stands upright, its box on a corner
    turn[:, 2] += (-90, 50)  # its middle at (40, 85): the box's left corner at x = -2.4, beyond the frame
    (box,) = (found.box for found in items_in_view([item], np.vstack([turn, [0, 0, 1]]), (640, 480)))
    x, y, w, h = box
    assert w <= 6 and 83 <= h <= 88


def test_a_digit_too_small_blurred_past_reading_or_washed_out_by_glare_is_marked_unreadable_in_the_frame():
    """The scenes promise digits from 14 px tall: the far side of a page seen at a slant
    shows them smaller; a camera's blur spreading a point over more than an eighth of a
    digit's height leaves a smudge; and a lamp's glare can turn a pencil digit to the
    sensor's white."""
    from livedigit.synthetic.camera import unreadable
    from livedigit.synthetic.page import PageItem

    frame = np.full((100, 100, 3), 200, np.uint8)
    frame[20:40, 20:30] = 60  # a digit's dark ink
    frame[60:80, 60:70] = 255  # glare over one
    assert unreadable(frame, PageItem((20, 20, 10, 20), 7)) == ""
    assert unreadable(frame, PageItem((20, 20, 10, 13), 7)) == "under 14 px tall"
    assert unreadable(frame, PageItem((20, 20, 10, 20), 7), spread=2.6) == "blurred past reading"
    assert unreadable(frame, PageItem((20, 20, 10, 20), 7), spread=2.4) == ""
    assert unreadable(frame, PageItem((60, 60, 9, 19), 7)) == "washed out by glare"
    assert unreadable(frame, PageItem((20, 20, 10, 13), -1)) == ""  # a mark is no digit


def test_the_blur_a_scene_is_filmed_with_spreads_as_its_defocus_and_smear_together():
    from livedigit.synthetic.camera import blur_spread
    from livedigit.synthetic.style import Style

    assert blur_spread(Style(blur=1.5)) == pytest.approx(1.5)
    assert blur_spread(Style(blur=0.0, motion_blur=12.0)) == pytest.approx(12 / np.sqrt(12))
    assert blur_spread(Style(blur=1.5, motion_blur=12.0)) == pytest.approx(np.hypot(1.5, 12 / np.sqrt(12)))


def test_a_random_scene_marks_the_digits_it_shows_too_small_to_read(mnist):
    """Scene 31 shows a small page far away and tilted: most of its digits are 8-13 px tall."""
    from livedigit.synthetic import random_scene

    (_, items, _), = make_clip(mnist["x_test"], mnist["y_test"], random_scene(31).style, frames=1, seed=31)
    digits = [item for item in items if item.label >= 0]
    assert all((item.unreadable != "") == (item.box[3] < 14) for item in digits)
    assert sum(item.unreadable != "" for item in digits) >= len(digits) / 2


def test_a_grid_seen_far_off_stays_unbroken_lines_in_the_frame():
    """A page shrunk 3.5 times into the frame, its lines 2 px thick: each frame pixel sees
    its share of a line, as a sensor's pixel does, so a line is nowhere less than half as
    dark as along the rest of it (a line straddling two rows of pixels splits its
    darkness between them). Sampled once a pixel, the lines fell between the samples in
    places, down to a quarter of their darkness: a grid came out in dashes."""
    import cv2

    from livedigit.synthetic.camera import sensed

    paper, rows = 230, range(60, 1400, 56)
    canvas = np.full((1400, 1400, 3), paper, np.float32)
    for y in rows:
        cv2.line(canvas, (0, y), (1399, y), (120, 120, 120), 2, cv2.LINE_AA)
    shrink = cv2.getRotationMatrix2D((700.0, 700.0), 3, 1 / 3.5)
    shrink[:, 2] -= 500  # the canvas's middle in the frame's
    frame = sensed(canvas, np.vstack([shrink, [0, 0, 1]]), (400, 400), supersampling=3)
    darkness = paper - cv2.cvtColor(np.clip(frame, 0, 255).astype(np.uint8), cv2.COLOR_BGR2GRAY).astype(int)
    (a, b, c), (d, e, f) = shrink
    for y in rows:
        along = []
        for x in range(20, 380):
            canvas_x = (x - b * y - c) / a
            row = int(d * canvas_x + e * y + f)  # where the line crosses the frame's column x
            if 3 <= row < 396:
                along.append(darkness[row - 1:row + 3, x].max())
        if along:
            assert min(along) >= 0.5 * np.median(along), y


def test_make_clip_draws_a_presets_ruled_lines_as_wide_and_in_the_colour_asked(tmp_path):
    import json
    import subprocess
    import sys

    import cv2

    from conftest import MNIST, ROOT

    def first_frame(*options: str) -> tuple[np.ndarray, dict]:
        out = tmp_path / f"clip{len(options)}.avi"
        subprocess.run([sys.executable, str(ROOT / "scripts" / "make_clip.py"), "--data", str(MNIST), "--preset",
                        "lined", "--frames", "1", "--out", str(out), *options], check=True, capture_output=True)
        frame = cv2.VideoCapture(str(out)).read()[1]
        return frame, json.loads(out.with_suffix(".truth.json").read_text())

    as_made, _ = first_frame()
    redrawn, truth = first_frame("--line-width", "4", "--line-colour", "90,40,20")
    assert (truth["line_width"], truth["line_colour"]) == (4, [90, 40, 20])
    assert redrawn.mean() < as_made.mean() - 2  # wide dark lines darken the page
    bent, truth = first_frame("--lens", "-0.1")
    assert truth["lens"] == -0.1 and np.abs(bent.astype(int) - as_made).mean() > 5
    bowed, truth = first_frame("--curl", "0.04")
    assert truth["curl"] == 0.04 and np.abs(bowed.astype(int) - as_made).mean() > 5
    for option, value in (("--lens", "0.5"), ("--curl", "0.5")):
        refused = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_clip.py"), "--data", str(MNIST),
                                  option, value, "--out", str(tmp_path / "no.avi")], capture_output=True, text=True)
        assert refused.returncode != 0 and f"{option} {value}" in refused.stderr


@pytest.mark.parametrize("bend", [{"lens": -0.12}, {"lens": 0.04}, {"curl": 0.05}, {"curl": -0.03}],
                         ids=["barrel lens", "pincushion lens", "sheet sagging", "sheet arching"])
def test_a_lens_or_a_curl_bends_the_frame_and_its_truth_alike(mnist, bend):
    """Through a lens, or on a bowed sheet, straight lines bow and the digits move with
    them: each digit's box in the truth still holds its ink, as tightly as on a flat sheet
    through no lens."""
    import cv2

    def fit_of_boxes(style) -> float:
        image, items, _ = next(make_clip(mnist["x_test"][:400], mnist["y_test"][:400], style, frames=1, seed=3))
        dark = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) < 150
        misses = []
        for x, y, w, h in (item.box for item in items if item.label >= 0 and min(item.box[:2]) >= 3):
            ys, xs = np.nonzero(dark[y - 3:y + h + 4, x - 3:x + w + 4])  # the ink in and just around the box
            ink_box = [xs.min(), ys.min(), xs.max(), ys.max()] if len(xs) else [3, 3, 3, 3]
            misses.append(np.abs(np.array(ink_box) - [3, 3, w + 3, h + 3]).max())
        return float(np.median(misses))

    assert fit_of_boxes(preset("clean", **bend)) <= fit_of_boxes(preset("clean")) + 1


def test_a_bowed_sheets_outline_in_the_frame_follows_its_bow_and_the_frames_edge():
    """A bowed sheet's outline is no longer convex: it is cut by the frame's edge as any
    polygon is, and holds the frame's part of it."""
    import cv2

    from livedigit.synthetic.camera import clipped_to_box

    arch = np.array([[-20, 10], [50, 40], [120, 10], [120, 90], [-20, 90]], np.float32)  # dips at its top's middle
    inside = clipped_to_box(arch, 100, 80)
    assert inside[:, 0].min() >= 0 and inside[:, 0].max() <= 100 and inside[:, 1].max() <= 80
    expected = np.zeros((80, 100), np.uint8)
    cv2.fillPoly(expected, [np.round(arch).astype(np.int32)], 1)
    assert cv2.contourArea(inside) == pytest.approx(expected.sum(), rel=0.05)
