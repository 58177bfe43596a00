"""The archive's registry of HTR models: the shipped models (htr/models/) appear read-only, with the figures and the
training curve their training logs give, and `migrate` brings them up to date."""

from __future__ import annotations

import json

import pytest

from portal.archive import htr_models
from portal.archive.models import HtrModel
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SHIPPED = htr_models.SHIPPED_DIR


def training_log(name: str) -> dict:
    return json.loads((SHIPPED / name / "training_log.json").read_text())


@pytest.fixture
def client(api_client_for):
    return api_client_for(make_user("reader"))


def test_the_shipped_models_are_listed_read_only_with_their_figures(client):
    response = client.get("/api/models/")
    assert response.status_code == 200
    listed = {m["name"]: m for m in response.json()["results"]}
    assert {"recognition-latin", "recognition-cyrillic", "segmentation"} <= set(listed)
    for name in ("recognition-latin", "recognition-cyrillic", "segmentation"):
        model = listed[name]
        assert model["read_only"] is True and model["project"] is None and model["base"] is None
        assert model["download_url"] == f"/api/models/{model['id']}/download/"
    latin, cyrillic, segmentation = listed["recognition-latin"], listed["recognition-cyrillic"], listed["segmentation"]
    assert (latin["kind"], latin["script"], latin["language"]) == ("recognition", "latin", "French")
    assert (cyrillic["kind"], cyrillic["script"], cyrillic["language"]) == ("recognition", "cyrillic", "Russian")
    assert (segmentation["kind"], segmentation["script"]) == ("segmentation", "latin")
    for model in (latin, cyrillic):
        log = training_log(model["name"])
        assert model["cer"] == pytest.approx(log["best"]["cer"], abs=1e-3)
        assert model["base_cer"] is None  # trained from scratch: no base to compare with
        assert model["trained_lines"] == log["train_lines"]
    log = training_log("segmentation")
    assert segmentation["f1"] == pytest.approx(log["best"]["f1"], abs=1e-3)
    assert segmentation["trained_pages"] == log["train_pages"] and segmentation["cer"] is None


def test_a_models_page_gives_its_training_curve(client):
    model = HtrModel.objects.get(name="recognition-cyrillic", project=None)
    figures = client.get(f"/api/models/{model.pk}/").json()["figures"]
    log = training_log("recognition-cyrillic")
    assert figures["held_out_lines"] == log["best"]["lines"]
    assert [p["step"] for p in figures["curve"]] == [p["step"] for p in log["history"]]
    assert [p["cer"] for p in figures["curve"]] == pytest.approx([p["val_cer"] for p in log["history"]], abs=1e-3)
    assert all(p["loss"] is not None and p["epoch"] is not None for p in figures["curve"])

    segmentation = HtrModel.objects.get(name="segmentation", project=None)
    curve = client.get(f"/api/models/{segmentation.pk}/").json()["figures"]["curve"]
    assert [p["f1"] for p in curve] == pytest.approx([p["f1"] for p in training_log("segmentation")["val"]], abs=1e-3)


def test_migrate_brings_the_shipped_entries_up_to_date(tmp_path):
    latin = HtrModel.objects.get(name="recognition-latin", project=None)
    HtrModel.objects.filter(pk=latin.pk).update(figures={}, script="cyrillic")
    HtrModel.objects.create(name="retired", kind="recognition", path="htr/models/retired", read_only=True)
    htr_models.shipped_models_sync()
    latin.refresh_from_db()
    assert latin.script == "latin" and latin.figures["cer"] is not None  # same row, so documents keep pointing at it
    assert not HtrModel.objects.filter(name="retired").exists()  # its folder is gone


def test_visitors_see_no_models(api_client_for):
    assert api_client_for(None).get("/api/models/").status_code == 401
