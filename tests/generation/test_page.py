"""The demo page says which model is active and offers every feature."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_page_names_the_active_model_and_offers_the_six_features(client, tiny_models):
    page = client.get(reverse("generation:index")).content.decode()
    assert "tiny-random-k22" in page and "random weights for tests" in page
    for kind in ("text2image", "variations", "mix", "inpaint", "outpaint", "video"):
        assert f'data-kind="{kind}"' in page
    assert 'class="mask-canvas"' in page


def test_an_invalid_form_without_javascript_shows_the_page_again_with_the_error(client, tiny_models):
    response = client.post(
        reverse("generation:submit", args=["text2image"]),
        {"prompt": "", "aspect": "1:1", "steps": 2, "guidance": 1, "batch": 1},
    )
    assert response.status_code == 400
    assert "Write a prompt" in response.content.decode()
