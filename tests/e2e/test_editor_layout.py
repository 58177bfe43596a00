"""Editing the layout in the editor, in a real browser (issue #13.2): dragging a point of the active line's outline
saves its new shape; dragging a line's number onto another line changes the reading order; a region drawn with its
type takes the lines inside it."""

from __future__ import annotations

import pytest
from test_editor_snags import stored_page
from test_editor_tools import open_as_owner

pytestmark = [pytest.mark.timeout(300), pytest.mark.django_db(transaction=True)]


def test_dragging_a_point_of_the_lines_outline_saves_its_new_shape(daphne_server, browser_page, owner):
    from portal.archive.models import Line

    stored = stored_page(owner)
    line = Line.objects.filter(page=stored).order_by("order")[1]
    before = line.polygon
    page = browser_page
    open_as_owner(page, daphne_server, stored, line=line)
    page.wait_for_timeout(800)  # the zoom on the line has settled
    handle = page.locator(".handle-outline[data-index='0']")
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 10, y - 15, steps=5)
    page.mouse.up()
    page.wait_for_selector("#editor-status:has-text('Line outline saved.')")
    line.refresh_from_db()
    assert line.polygon[0] != before[0] and line.polygon[0][1] < before[0][1]
    assert line.polygon[1:] == before[1:]


def test_dragging_a_lines_number_onto_another_line_moves_it_in_reading_order(daphne_server, browser_page, owner):
    from portal.archive.models import Line

    stored = stored_page(owner)
    first, second, third, fourth = Line.objects.filter(page=stored).order_by("order")
    page = browser_page
    open_as_owner(page, daphne_server, stored)
    page.locator(f".line[data-line-id='{fourth.pk}'] .line-number").drag_to(
        page.locator(f".line[data-line-id='{second.pk}'] .line-text"), target_position={"x": 20, "y": 2}
    )
    page.wait_for_selector("#editor-status:has-text('Line moved.')")
    moved = [first.pk, fourth.pk, second.pk, third.pk]
    assert [line.pk for line in Line.objects.filter(page=stored).order_by("order")] == moved
    # The list is drawn again from the server, in the new order and numbered anew.
    page.wait_for_function(
        "ids => Array.from(document.querySelectorAll('.line')).map(e => +e.dataset.lineId).join() === ids.join()",
        arg=moved,
    )
    assert page.inner_text(f".line[data-line-id='{fourth.pk}'] .line-number") == "2"


def test_a_region_drawn_with_its_type_takes_the_lines_inside_it(daphne_server, browser_page, owner):
    from portal.archive.models import Line, Region

    stored = stored_page(owner)
    page = browser_page
    open_as_owner(page, daphne_server, stored)
    page.select_option("#region-kind", "marginalia")
    page.click("#region-add")
    # A box around every line as the viewer shows them.
    corners = page.evaluate("""() => {
        const shapes = Array.from(document.querySelectorAll('.line-shape')).map(s => s.getBoundingClientRect());
        return {x0: Math.min(...shapes.map(r => r.left)) - 8, y0: Math.min(...shapes.map(r => r.top)) - 8,
                x1: Math.max(...shapes.map(r => r.right)) + 8, y1: Math.max(...shapes.map(r => r.bottom)) + 8};
    }""")
    page.mouse.move(corners["x0"], corners["y0"])
    page.mouse.down()
    page.mouse.move(corners["x1"], corners["y1"], steps=8)
    page.mouse.up()
    page.wait_for_selector("#editor-status:has-text('Region added')")
    region = Region.objects.get(page=stored)
    assert region.kind == "marginalia"
    assert set(Line.objects.filter(page=stored).values_list("region_id", flat=True)) == {region.pk}
    page.wait_for_selector(".region-shape[data-kind='marginalia']", state="attached")


def test_a_baseline_drawn_point_by_point_replaces_the_lines_baseline(daphne_server, browser_page, owner):
    from portal.archive.models import Line

    stored = stored_page(owner)
    line = Line.objects.filter(page=stored).order_by("order")[1]
    page = browser_page
    open_as_owner(page, daphne_server, stored, line=line)
    page.wait_for_timeout(800)
    outline = page.eval_on_selector(
        f".line-shape[data-line-id='{line.pk}']",
        "e => { const r = e.getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height}; }",
    )
    page.click("#baseline-draw")
    y = outline["y"] + outline["h"] * 0.75
    for fraction in (0.1, 0.5, 0.9):
        page.mouse.click(outline["x"] + outline["w"] * fraction, y)
        page.wait_for_timeout(300)  # a click, not a double click
    page.keyboard.press("Enter")
    page.wait_for_selector("#editor-status:has-text('Baseline saved.')")
    line.refresh_from_db()
    assert len(line.baseline) == 3
    xs = [p[0] for p in line.baseline]
    assert xs == sorted(xs) and 60 <= xs[0] < xs[2] <= 740
    assert all(140 < p[1] < 200 for p in line.baseline)  # within the line's outline (y 140..200)


def stored_page_in_one_region(owner):
    """stored_page with all its lines in one text region the size of the page; the page and the region."""
    from portal.archive.models import Line, Region

    stored = stored_page(owner)
    region = Region.objects.create(page=stored, kind="text", polygon=[[0, 0], [800, 0], [800, 460], [0, 460]])
    Line.objects.filter(page=stored).update(region=region)
    return stored, region


def test_the_type_of_the_active_lines_region_is_changed_from_the_toolbar(daphne_server, browser_page, owner):
    from portal.archive.models import Region

    stored, region = stored_page_in_one_region(owner)
    page = browser_page
    open_as_owner(page, daphne_server, stored)
    page.wait_for_selector("#region-kind-set:not([disabled])")
    assert page.input_value("#region-kind") == "text"
    page.select_option("#region-kind", "signature-mark")
    page.click("#region-kind-set")
    page.wait_for_selector("#editor-status:has-text('Region type changed.')")
    assert Region.objects.get(pk=region.pk).kind == "signature-mark"


def open_on_second_line(daphne_server, page, owner):
    from portal.archive.models import Line

    stored = stored_page(owner)
    line = Line.objects.filter(page=stored).order_by("order")[1]
    open_as_owner(page, daphne_server, stored, line=line)
    page.wait_for_timeout(800)  # the zoom on the line has settled
    return line


def centre(page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_dragging_the_mark_between_two_points_adds_a_point_to_the_outline(daphne_server, browser_page, owner):
    page = browser_page
    line = open_on_second_line(daphne_server, page, owner)
    x, y = centre(page, ".handle-outline.handle-midpoint[data-insert='1']")  # between the top corners
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y - 20, steps=5)
    page.mouse.up()
    page.wait_for_selector("#editor-status:has-text('Line outline saved.')")
    line.refresh_from_db()
    assert len(line.polygon) == 5
    assert line.polygon[1][1] < line.polygon[0][1]  # the new point, pulled up, between the first two corners


def test_a_double_click_on_a_point_removes_it_from_the_outline(daphne_server, browser_page, owner):
    page = browser_page
    line = open_on_second_line(daphne_server, page, owner)
    before = line.polygon
    page.mouse.dblclick(*centre(page, ".handle-outline[data-index='2']"))
    page.wait_for_selector("#editor-status:has-text('Line outline saved.')")
    line.refresh_from_db()
    assert line.polygon == before[:2] + before[3:]


def test_the_active_lines_region_is_removed_and_its_lines_stay(daphne_server, browser_page, owner):
    from portal.archive.models import Line, Region

    stored, region = stored_page_in_one_region(owner)
    page = browser_page
    open_as_owner(page, daphne_server, stored)
    page.wait_for_selector("#region-delete:not([disabled])")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#region-delete")
    page.wait_for_selector("#editor-status:has-text('Region removed.')")
    assert not Region.objects.filter(pk=region.pk).exists()
    assert Line.objects.filter(page=stored).count() == 4
    assert set(Line.objects.filter(page=stored).values_list("region_id", flat=True)) == {None}
    page.wait_for_selector("#region-delete[disabled]", state="attached")
