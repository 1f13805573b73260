"""Crops are read upright on the page: its rows run level, its columns upright, however
the camera turned or tilted it."""
import cv2
import numpy as np

from livedigit.normalize import normalize_grey
from livedigit.upright import page_turns, upright_sizes

FRAME = (480, 640)


def turned_by(degrees: float) -> np.ndarray:
    """The 2x2 map that turns the frame clockwise by `degrees` (y points down)."""
    angle = np.radians(degrees)
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])


def test_a_page_turned_in_view_is_turned_back():
    sheet = np.array([[0, 0], [300, 0], [300, 200], [0, 200]]) @ turned_by(20).T + [200, 60]
    turns = page_turns(sheet, FRAME, np.array([[250, 150, 30, 40], [380, 220, 20, 30]]))
    assert np.allclose(turns, np.linalg.inv(turned_by(20)))


def test_ink_is_measured_as_the_page_stands():
    """A stroke 42 px long down the columns of a page turned 45 degrees anticlockwise: in
    the frame its box is square; as the page stands, it is 42 px tall and a pixel wide."""
    stroke = np.zeros((30, 30), np.uint8)
    cv2.line(stroke, (0, 0), (29, 29), 255, 1)
    (width, height), = upright_sizes([stroke], np.linalg.inv(turned_by(-45))[None])
    assert round(width) == 1 and round(height) == 42
    assert upright_sizes([stroke], np.eye(2)[None]).tolist() == [[30, 30]]


def test_a_page_turned_by_less_than_its_outline_tells_is_left_as_it_is():
    sheet = np.array([[0, 0], [300, 0], [300, 200], [0, 200]]) @ turned_by(2).T + [200, 60]
    assert np.allclose(page_turns(sheet, FRAME, np.array([[250, 150, 30, 40]])), np.eye(2))


def test_a_page_filling_the_frame_leaves_its_crops_as_they_are():
    frame_corners = np.array([[0, 0], [640, 0], [640, 480], [0, 480]])
    assert np.allclose(page_turns(frame_corners, FRAME, np.array([[250, 150, 30, 40]])), np.eye(2))


def test_a_page_the_frame_cuts_is_turned_back_by_its_own_edges_in_view():
    slant = np.tan(np.radians(15))
    # the sheet's bottom-right corner in view, its top and left beyond the frame's edges
    cut = np.array([[0, 0], [400 + 350 * slant, 0], [400, 350], [0, 350 - 400 * slant]])
    assert np.allclose(page_turns(cut, FRAME, np.array([[100, 100, 30, 40]])), np.linalg.inv(turned_by(15)))


def test_a_page_with_only_its_top_edge_in_view_stands_square_to_it():
    slope = np.degrees(np.arctan2(-60, 640))
    top_only = np.array([[0, 100], [640, 40], [640, 480], [0, 480]])  # its other sides beyond the frame
    assert np.allclose(page_turns(top_only, FRAME, np.array([[300, 200, 30, 40]])), np.linalg.inv(turned_by(slope)))


def test_an_outline_found_a_few_pixels_short_of_the_frames_edge_lies_along_it():
    # as found on the page's small copy of a 960x544 frame, in blocks of 4 pixels: its
    # bottom side 4 pixels above the frame's edge is no edge of the paper
    found = np.array([[0, 0], [956, 540], [232, 540], [0, 384]])
    turn = page_turns(found, (544, 960), np.array([[463, 255, 30, 30]]))[0]  # centred on its top side
    assert np.allclose(turn @ [956, 540], [np.hypot(956, 540), 0])
    assert np.linalg.det(turn) > 0  # turned, never mirrored


def test_one_edge_of_each_direction_only_turns_the_page_never_shears_it():
    # seen in perspective, the one slanting side in view slants as the page does only near it
    top_and_left = np.array([[0, 60], [1280, 160], [1280, 720], [200, 720]])
    turns = page_turns(top_and_left, (720, 1280), np.array([[300, 300, 40, 60], [1000, 500, 40, 60]]))
    for turn in turns:
        assert np.allclose(turn @ turn.T, np.eye(2))
    assert np.allclose(turns[0], turns[1])


def test_the_columns_of_a_page_tilted_away_lean_towards_where_its_sides_meet():
    keystone = np.array([[220, 100], [420, 100], [560, 400], [80, 400]])  # the far edge shorter
    on_its_sides = np.array([[126, 270, 20, 20], [494, 270, 20, 20]])  # centred on its left and right sides
    left, right = page_turns(keystone, FRAME, on_its_sides)
    assert np.allclose(left @ [-140, 300], [0, np.hypot(140, 300)])  # each side upright
    assert np.allclose(right @ [140, 300], [0, np.hypot(140, 300)])
    middle = page_turns(keystone, FRAME, np.array([[310, 270, 20, 20]]))[0]
    assert np.allclose(middle, np.eye(2))


def test_two_sides_that_meet_at_a_corner_in_view_are_not_taken_for_opposite_edges():
    """Random scene 248, frame 0: a sticky note the frame cuts to a pentagon, its outline
    simplified to these four corners. Its left side and the short side cutting its
    bottom-left corner both run nearer upright; taken for its two column edges, its columns
    ran towards the corner where they meet, and a crop there was turned by 68 degrees."""
    outline = np.array([[66, 0], [1014, 0], [96, 456], [0, 318]])
    turn = page_turns(outline, (768, 1024), np.array([[150, 220, 40, 60]]))[0]
    assert abs(np.degrees(np.arctan2(turn[1, 0], turn[0, 0]))) < 30


def test_a_digit_on_a_turned_page_gives_the_crop_it_gives_upright(mnist):
    digit = cv2.resize(mnist["x_test"][0], (84, 84), interpolation=cv2.INTER_CUBIC)  # a 7
    upright = np.full(FRAME, 40, np.uint8)
    upright[90:390, 170:470] = 230  # a sheet on a dark desk
    upright[198:282, 278:362] -= (digit * 0.6).astype(np.uint8)
    turn = cv2.getRotationMatrix2D((320, 240), -25, 1.0)  # clockwise, as turned_by(25)
    turned = cv2.warpAffine(upright, turn, FRAME[::-1], flags=cv2.INTER_LINEAR, borderValue=40)
    sheet = cv2.transform(np.array([[[170, 90], [470, 90], [470, 390], [170, 390]]], np.float32), turn)[0]

    def crop(gray, page=None):
        ink = ((gray < 200) & (gray > 60)).astype(np.uint8) * 255
        x, y, w, h = cv2.boundingRect(ink[150:330, 230:410])
        box = (x + 230, y + 150, w, h)
        return normalize_grey(gray, [box], [ink[box[1]:box[1] + h, box[0]:box[0] + w]], page)[0]

    reference = crop(upright)
    assert np.abs(crop(turned, sheet) - reference).mean() < 0.03
    assert np.abs(crop(turned) - reference).mean() > 0.06
