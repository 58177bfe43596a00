"""A line drawn by hand takes its place in reading order by where it is on the page, and is read at once (the REAL
worker reads that line only, with the document's model, and leaves the page's state alone)."""

from __future__ import annotations

import pytest

from portal.archive.models import Layer, Page, Transcription
from portal.archive.segmentation import position_in_order
from portal.jobs.models import Job
from tests.datasets import cremma_page
from tests.factories import api_upload, make_document, make_page_with_lines, make_project, make_user
from tests.processes import wait_for_job


def box(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def test_a_line_goes_after_the_line_above_it_in_its_column():
    left = [box(50, 100 * i, 400, 100 * i + 60) for i in range(3)]
    right = [box(500, 100 * i, 850, 100 * i + 60) for i in range(3)]
    ordered = left + right  # two columns, read one after the other
    assert position_in_order(box(60, 130, 390, 170), ordered) == 2  # between the 2nd and 3rd of the left column
    assert position_in_order(box(510, 230, 840, 270), ordered) == 6  # under the right column's last line
    assert position_in_order(box(510, -80, 840, -20), ordered) == 3  # above the right column: before its first line
    assert position_in_order(box(50, -80, 400, -20), ordered) == 0
    assert position_in_order(box(900, 400, 950, 420), ordered) == 6  # in no column: after what is above it
    assert position_in_order(box(0, 0, 10, 10), []) == 0


@pytest.mark.django_db
def test_a_drawn_line_without_after_is_placed_by_position_and_queued_for_reading(users, project, api_client_for):
    page = make_page_with_lines(make_document(project), users["owner"])  # lines at y 60-120, 160-220, 260-320
    client = api_client_for(users["editor"])
    response = client.post(f"/api/pages/{page.pk}/lines/", {"polygon": box(50, 125, 720, 155)}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["order"] == 1
    assert [line["id"] for line in client.get(f"/api/pages/{page.pk}/").json()["lines"]][1] == body["id"]
    assert body["job"]["params"] == {"steps": ["recognition"], "lines": [body["id"]]}
    assert body["job"]["target"] == f"archive.page:{page.pk}" and body["job"]["status"] == "queued"


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(900)
def test_a_drawn_line_is_read_by_the_worker_at_once(celery_worker, api_client_for):
    user = make_user("scribe")
    client = api_client_for(user)
    document = make_document(make_project(user, name="Genlis"), title="Journal")
    uploaded = api_upload(client, document, list(cremma_page())).json()
    assert wait_for_job(uploaded["jobs"][0]["id"]).status == Job.Status.DONE
    page = Page.objects.get(pk=uploaded["pages"][0]["id"])
    gone = page.lines.get(order=5)
    assert client.delete(f"/api/lines/{gone.pk}/").status_code == 204

    drawn = client.post(
        f"/api/pages/{page.pk}/lines/", {"polygon": gone.polygon, "baseline": gone.baseline}, format="json"
    ).json()
    assert drawn["order"] == 5  # back where the line was
    job = wait_for_job(drawn["job"]["id"], timeout=600)
    assert job.status == Job.Status.DONE, job.error
    assert job.result["recognition"]["lines"] == 1
    read = Transcription.objects.filter(layer__kind=Layer.Kind.MODEL, line__page=page)
    assert list(read.values_list("line_id", flat=True)) == [drawn["id"]]  # that line only
    text = read.get()
    assert text.text.strip() and len(text.confidences) == len(text.text)
    page.refresh_from_db()
    assert page.state == Page.State.DONE
