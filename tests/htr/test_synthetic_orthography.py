"""The modern-to-pre-reform spelling converter behind the synthetic Cyrillic lines."""

import pytest

from htr.synthetic.orthography import to_prereform


@pytest.mark.parametrize(
    ("modern", "old"),
    [
        ("дом", "домъ"),
        ("в", "въ"),
        ("хлеб", "хлѣбъ"),
        ("победа", "побѣда"),
        ("человек", "человѣкъ"),
        ("место", "мѣсто"),
        ("свет", "свѣтъ"),
        ("совет", "совѣтъ"),
        ("нет", "нѣтъ"),
        ("где", "гдѣ"),
        ("иметь", "имѣть"),
        ("видели", "видѣли"),
    ],
)
def test_it_writes_yat_in_the_yat_roots_and_final_hard_signs(modern, old):
    assert to_prereform(modern) == old


@pytest.mark.parametrize("word", ["весна", "вечер", "лесть", "тереть", "семья", "девять", "время"])
def test_it_leaves_e_in_words_that_never_had_yat(word):
    assert "ѣ" not in to_prereform(word)


def test_it_writes_i_decimal_before_vowels_and_short_i():
    assert to_prereform("история России") == "исторія Россіи"
    assert to_prereform("синий") == "синій"


def test_it_writes_fita_in_greek_names_and_izhitsa_in_church_words():
    assert to_prereform("Федор и Афанасий") == "Ѳедоръ и Аѳанасій"
    assert to_prereform("арифметика") == "ариѳметика"
    assert to_prereform("Синод освятил миро") == "Сѵнодъ освятилъ мѵро"
    assert to_prereform("мир") == "миръ"


def test_it_writes_ago_and_yago_adjective_endings_but_not_in_pronouns():
    assert to_prereform("нового последнего хорошего") == "новаго послѣдняго хорошаго"
    assert to_prereform("того его одного") == "того его одного"


def test_it_writes_yat_in_locative_after_a_preposition():
    assert to_prereform("по дороге к Москве") == "по дорогѣ къ Москвѣ"
    assert to_prereform("на все") == "на все"


def test_it_keeps_case_punctuation_and_drops_yo():
    assert to_prereform("НЕТ! Её ёлка, 1709 г.") == "НѢТЪ! Ея елка, 1709 г."
