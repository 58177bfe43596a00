"""A page whose lines run up the page (a margin note, or a page scanned sideways), through the REAL worker: the
reader reads each line the right way round and the line's stored baseline turns to run the way it is written."""

from __future__ import annotations

import dataclasses

import pytest
from PIL import Image

import htr.formats
from htr import load_image
from htr.lines import Line as HtrLine
from htr.segmentation.postprocess import runs_down
from portal.archive.models import Line, Transcription
from portal.jobs.models import Job
from tests.datasets import cremma_page
from tests.factories import make_document, make_project, make_user, upload_files
from tests.htr.test_vertical_lines import turned_page
from tests.processes import wait_for_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]


def test_lines_written_up_the_page_are_read_and_their_baselines_turned_round(celery_worker, api_client_for, tmp_path):
    user = make_user("archivist")
    client = api_client_for(user)
    document = make_document(make_project(user))
    image_path, alto = cremma_page()
    truth = htr.formats.read_page(alto)
    page = dataclasses.replace(truth, lines=truth.lines[2:5])
    turned_image, turned = turned_page(load_image(image_path), page, down=False)
    # As segmentation gives such lines: their baselines running down the page, the wrong way round here.
    guessed = [dataclasses.replace(line, baseline=sorted(line.baseline, key=lambda p: p[1])) for line in turned.lines]
    Image.fromarray(turned_image).save(tmp_path / "side.jpg", quality=92)
    xml = htr.formats.page_to_bytes(dataclasses.replace(turned, image="side.jpg", lines=guessed), "alto")
    (tmp_path / "side.xml").write_bytes(xml)
    (stored,), _ = upload_files(document, user, [tmp_path / "side.jpg", tmp_path / "side.xml"])
    for job in Job.objects.filter(target=f"archive.page:{stored.pk}"):
        assert wait_for_job(job.pk).status == Job.Status.DONE

    response = client.post(f"/api/documents/{document.pk}/process/", {"steps": ["recognition"]}, format="json")
    assert response.status_code == 202, response.content
    (job,) = response.json()["jobs"]
    assert wait_for_job(job["id"], timeout=600).status == Job.Status.DONE

    lines = list(Line.objects.filter(page=stored).order_by("order"))
    assert len(lines) == 3
    for line in lines:
        assert runs_down(HtrLine(id="", polygon=line.polygon, baseline=line.baseline)) is False
        text = Transcription.objects.filter(line=line).latest("updated").text
        assert len(text) >= 5
    exported = client.get(f"/api/pages/{stored.pk}/export/?format=alto")
    assert exported.status_code == 200
    assert all(runs_down(line) is False for line in htr.formats.read_page(exported.content).lines)
