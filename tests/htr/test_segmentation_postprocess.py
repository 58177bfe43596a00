"""Post-processing from maps to ordered lines, on hand-drawn maps (no network involved)."""

import cv2
import numpy as np
import pytest
from shapely.geometry import LineString, Polygon

from htr.lines import Line
from htr.segmentation.postprocess import maps_to_lines, order_lines, reading_order


def draw_maps(lines, shape=(200, 300)):
    """Maps (baseline, core, region) for straight lines given as (x0, x1, baseline y), 10 px apart at least."""
    maps = np.zeros((3, *shape), np.float32)
    for x0, x1, y in lines:
        cv2.line(maps[0], (x0, y), (x1, y), 1.0, 1)
        cv2.rectangle(maps[1], (x0, y - 4), (x1, y), 1.0, -1)
        cv2.rectangle(maps[2], (x0, y - 8), (x1, y + 3), 1.0, -1)
    return maps


TWO_COLUMNS = [(170, 280, 30), (170, 270, 60), (170, 285, 90), (10, 130, 35), (15, 140, 65), (10, 120, 95)]


def test_it_reads_the_left_column_top_to_bottom_before_the_right_one():
    found = maps_to_lines(draw_maps(TWO_COLUMNS), scale=2.0, page_size=(600, 400))
    lines, regions = order_lines(found)
    assert [line.id for line in lines] == ["l1", "l2", "l3", "l4", "l5", "l6"]
    starts = [(line.baseline[0][0] // 2, line.baseline[0][1] // 2) for line in lines]
    assert [x < 150 for x, _ in starts] == [True, True, True, False, False, False]
    assert [y for _, y in starts[:3]] == sorted(y for _, y in starts[:3])
    assert [y for _, y in starts[3:]] == sorted(y for _, y in starts[3:])
    assert [r.id for r in regions] == ["r1", "r2"]
    assert {line.region for line in lines[:3]} == {"r1"} and {line.region for line in lines[3:]} == {"r2"}


def test_right_to_left_pages_start_with_the_right_column():
    lines, _ = order_lines(maps_to_lines(draw_maps(TWO_COLUMNS), 1.0, (300, 200)), rtl=True)
    assert lines[0].baseline[0][0] > 150 and lines[3].baseline[0][0] < 150


def test_each_polygon_contains_its_baseline():
    found = maps_to_lines(draw_maps(TWO_COLUMNS), scale=3.0, page_size=(900, 600))
    assert len(found) == 6
    for line in found:
        polygon = Polygon(line.polygon).buffer(3)  # a rounding pixel or so at each end
        assert polygon.contains(LineString(line.baseline))


def test_baselines_are_in_page_pixels_at_the_drawn_height():
    (line,) = maps_to_lines(draw_maps([(20, 200, 50)]), scale=4.0, page_size=(1200, 800))
    ys = [y for _, y in line.baseline]
    assert all(abs(y - 50 * 4) <= 4 for y in ys)
    assert abs(line.baseline[0][0] - 20 * 4) <= 8 and abs(line.baseline[-1][0] - 200 * 4) <= 8


def test_a_line_broken_at_a_word_gap_stays_one_line():
    maps = draw_maps([(20, 100, 50), (112, 220, 51)])
    (line,) = maps_to_lines(maps, 1.0, (300, 200))
    assert line.baseline[0][0] <= 22 and line.baseline[-1][0] >= 218


def test_lines_one_above_the_other_are_not_joined():
    assert len(maps_to_lines(draw_maps([(20, 100, 50), (110, 220, 70)]), 1.0, (300, 200))) == 2


def test_specks_are_not_lines():
    maps = draw_maps([(20, 220, 50)])
    maps[1, 120:122, 40:42] = 1.0  # a 2x2 blot of "core"
    assert len(maps_to_lines(maps, 1.0, (300, 200))) == 1


def test_empty_maps_give_no_lines():
    assert maps_to_lines(np.zeros((3, 64, 64), np.float32), 1.0, (64, 64)) == []


def test_it_rejects_maps_of_the_wrong_shape():
    with pytest.raises(ValueError, match="shape"):
        maps_to_lines(np.zeros((64, 64), np.float32), 1.0, (64, 64))


def test_lines_of_one_column_are_read_top_to_bottom():
    lines = [Line(id="", polygon=[], baseline=[(10, y), (200, y)]) for y in (300, 100, 200)]
    (column,) = reading_order(lines)
    assert [line.baseline[0][1] for line in column] == [100, 200, 300]


def test_a_note_in_the_left_margin_is_read_after_the_text_in_its_own_region():
    text = [(80, 290, y) for y in range(30, 200, 20)]  # nine long lines of the main text
    note = [(5, 60, 75), (5, 55, 95)]  # two short lines in the left margin, beside the text's third line
    found = maps_to_lines(draw_maps(text + note), scale=1.0, page_size=(300, 200))
    lines, regions = order_lines(found)
    assert [line.baseline[0][0] > 70 for line in lines] == [True] * 9 + [False] * 2
    assert [line.region for line in lines] == ["r1"] * 9 + ["r2"] * 2 and len(regions) == 2
