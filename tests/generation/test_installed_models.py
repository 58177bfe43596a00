"""The page and the API offer only what is installed, and say plainly what the shipped small model can draw.

These tests read the model folders' files only (what the web process does); nothing is loaded or generated."""

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.generation.jobs import submit

pytestmark = pytest.mark.django_db
SHIPPED = django_settings.BASE_DIR / "generation" / "models" / "shapes-k22-tiny"


@pytest.fixture
def shipped_model(settings):
    settings.GENERATION_MODELS = {
        "kandinsky22_prior": str(SHIPPED / "prior"),
        "kandinsky22_decoder": str(SHIPPED / "decoder"),
        "kandinsky22_inpaint": str(SHIPPED / "decoder-inpaint"),
        "kandinsky3": None,
        "video": None,
    }


def test_a_model_that_is_not_installed_is_not_offered(client, shipped_model):
    page = client.get(reverse("generation:index")).content.decode()
    assert '<option value="kandinsky22" selected>Kandinsky 2.2</option>' in page
    assert "Kandinsky 3" not in page


def test_a_model_that_is_installed_is_offered(client, tiny_models):
    page = client.get(reverse("generation:index")).content.decode()
    assert '<option value="kandinsky3">Kandinsky 3</option>' in page


@pytest.mark.parametrize(
    ("kind", "asked", "reason"),
    [
        pytest.param(
            "text2image",
            {"prompt": "a red circle", "model": "kandinsky3"},
            "Kandinsky 3 is not installed on this server; use Kandinsky 2.2.",
            id="a-model-that-is-not-installed-says-which-are",
        ),
        pytest.param(
            "mix",
            {"text_1": "a red circle", "text_2": "a blue square"},
            "The installed model cannot mix",
            id="a-mix-asked-of-the-shipped-model",
        ),
    ],
)
def test_what_the_shipped_model_cannot_do_is_refused_with_the_reason(client, shipped_model, kind, asked, reason):
    data = {**asked, "aspect": "1:1", "steps": 2, "guidance": 1, "batch": 1}
    answer = submit(client, kind, data, status=400)
    assert reason in answer["error"]


def test_the_page_says_what_the_shipped_model_draws(client, shipped_model):
    page = client.get(reverse("generation:index")).content.decode()
    assert "This small model draws one coloured shape on a plain background, 64×64 pixels, and nothing else." in page
    assert "circle, square, triangle, cross" in page and "red, green, blue, yellow" in page


def test_mixing_is_hidden_for_the_shipped_model(client, shipped_model):
    page = client.get(reverse("generation:index")).content.decode()
    assert 'data-kind="mix"' not in page and 'id="tab-mix"' not in page
    assert "Mixing is not offered" in page
    assert 'data-kind="text2image"' in page and 'data-kind="video"' in page


def test_mixing_is_offered_for_a_model_whose_card_allows_it(client, tiny_models):
    page = client.get(reverse("generation:index")).content.decode()
    assert 'id="tab-mix"' in page and "Mixing is not offered" not in page


def test_the_page_says_it_in_russian_too(client, shipped_model):
    page = client.get("/ru/generation/").content.decode()
    assert "Эта маленькая модель рисует одну цветную фигуру на однотонном фоне, 64×64 пикселей" in page
    assert "Смешивание не предлагается" in page and 'aria-label="Возможности генерации"' in page
