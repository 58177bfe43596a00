"""The archive reader on a real page's ground truth, with the real embedder shipped in a PyPI package."""

import pytest
from lxml import etree

from assistant.backends.embeddings import load_embedder
from assistant.backends.quotes import Passage, answer, search
from htr.formats.alto import read_alto


@pytest.fixture(scope="module")
def e5():
    return load_embedder("e5")


@pytest.fixture
def genlis_f52(shared):
    alto = shared / "datasets" / "cremma-mss-18" / "journal-mme-de-genlis" / "f52.xml"
    page = read_alto(etree.parse(str(alto)).getroot(), "f52.xml")
    return [Passage(key=line.id, text=line.text, number=i + 1) for i, line in enumerate(page.lines)]


def test_it_quotes_the_line_that_names_what_is_asked(e5, genlis_f52):
    reply = answer("Who made the geography?", genlis_f52, embedder=e5)
    assert reply.known
    assert reply.hits[0].passage.text == "geographie faite par pierre le"
    assert "“geographie faite par pierre le” (line 2)" in reply.text


def test_it_answers_when_with_the_dated_line(e5, genlis_f52):
    reply = answer("When was this written?", genlis_f52, embedder=e5)
    assert reply.known and reply.hits[0].passage.text == "ce 30 mars 1778."
    assert "30 mars 1778" in reply.text


def test_it_answers_a_russian_question_in_russian(e5, genlis_f52):
    reply = answer("Когда это написано?", genlis_f52, embedder=e5)
    assert reply.language == "ru" and reply.known
    assert reply.hits[0].passage.text == "ce 30 mars 1778."
    assert reply.text == f"Дата в тексте: «ce 30 mars 1778.» (строка {reply.hits[0].passage.number})."


def test_it_says_it_does_not_know_instead_of_inventing(e5, genlis_f52):
    assert not answer("Where is Moscow mentioned?", genlis_f52, embedder=e5).known
    reply = answer("Где упоминается Москва?", genlis_f52, embedder=e5)
    assert not reply.known and reply.text.startswith("Не знаю") and reply.hits == []


def test_it_matches_pre_reform_spelling_and_ocr_slips_without_embeddings():
    lines = [
        "Милостивый государь мой,",
        "вчера пріѣхалъ въ Парижъ",
        "купи мнѣ сукна и свѣчей",
        "писано 3 мая 1812",
    ]
    passages = [Passage(key=str(i), text=t, number=i + 1) for i, t in enumerate(lines)]
    assert search("Где упоминается Париж?", passages, embedder=None)[0].passage.text == "вчера пріѣхалъ въ Парижъ"
    assert search("свечи", passages, embedder=None)[0].passage.number == 3
    ocr = [
        Passage(key="a", text="les deux philosophes", number=1),
        Passage(key="b", text="petits rimbran", number=2),
    ]
    assert search("Where is Rembrandt mentioned?", ocr, embedder=None)[0].passage.key == "b"


def test_it_says_so_when_an_image_has_no_text(e5):
    reply = answer("What is in this picture?", [], embedder=e5)
    assert not reply.known and "no lines of text" in reply.text


def test_a_russian_question_without_text_is_told_so_in_russian(e5):
    reply = answer("Что на этой картинке?", [], embedder=e5)
    assert reply.text == "На этом изображении не найдено строк текста."


def test_a_name_asked_in_cyrillic_finds_its_french_spelling_by_sound():
    passages = [
        Passage(key="a", text="le Nautilus franchit le tropique du cancer", number=1),
        Passage(key="b", text="archipel des Sandwich, où l'illustre Cook trouva", number=2),
        Passage(key="c", text="la mort le 14 fevrier 1779. Nous avions alors", number=3),
    ]
    assert search("Где погиб Кук?", passages, embedder=None)[0].passage.key == "b"


def test_a_word_no_line_spells_is_found_through_its_translation(e5):
    texts = [
        "Il y avait en Westphalie, dans le château de",
        "monsieur le baron de Thunder-ten-tronckh, un jeune",
        "garçon à qui la nature avait donné les moeurs",
        "les plus douces. Sa physionomie annonçait son âme.",
        "Il avait le jugement assez droit, avec l'esprit",
        "le plus simple ; c'est, je crois, pour cette raison",
        "qu'on le nommait Candide. Les anciens domestiques",
    ]
    passages = [Passage(key=str(i), text=t, number=i + 1) for i, t in enumerate(texts)]
    from assistant.backends.quotes import semantic_scores, word_translations

    semantic = semantic_scores("Где был замок?", passages, e5)
    assert word_translations("Где был замок?", passages, e5, semantic) == {"замок": {"chateau"}}
    assert search("Где был замок?", passages, embedder=e5, translate=True)[0].passage.key == "0"
