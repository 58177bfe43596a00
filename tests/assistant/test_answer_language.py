"""The reader answers in the question's language with the words of locale/ru's django.po (gettext), not with Russian
written into the code beside the English."""

from __future__ import annotations

from assistant.backends.facts import Fact, answer_from_facts
from assistant.backends.quotes import Passage

WILL = [Passage(key="a", text="je legue a mon fils la maison", number=1)]
LETTER = [Passage(key="a", text="писано 3 мая 1812", number=1)]
JULIAN = Fact(
    kind="date",
    name="3 мая 1812",
    text="3 мая 1812",
    keys=["a"],
    iso="1812-05-03",
    calendar="julian",
    gregorian="1812-05-15",
)


def test_a_russian_question_gets_the_kind_of_document_in_russian_and_an_english_one_in_english():
    ru = answer_from_facts("Что это за документ?", WILL, [], "ru")
    en = answer_from_facts("What kind of document is this?", WILL, [], "en")
    assert ru.text == "Похоже, это завещание: «je legue a mon fils la maison» (строка 1)."
    assert en.text == "It reads like a will: “je legue a mon fils la maison” (line 1)."


def test_it_says_in_russian_that_the_text_names_no_person():
    reply = answer_from_facts("Кто упоминается?", WILL, [], "ru")
    assert not reply.known and reply.text == "Не знаю: в тексте не названо ни одного человека."


def test_an_old_style_date_is_told_in_both_calendars_in_the_questions_language():
    ru = answer_from_facts("Когда это написано?", LETTER, [JULIAN], "ru")
    en = answer_from_facts("When was this written?", LETTER, [JULIAN], "en")
    assert (
        ru.text
        == "Дата: 3 мая 1812 г. (по старому стилю, по новому стилю 15 мая 1812 г.) — «писано 3 мая 1812» (строка 1)."
    )
    assert en.text == (
        "3 May 1812 (old style, Julian calendar; 15 May 1812 in the Gregorian calendar) — “писано 3 мая 1812” (line 1)."
    )
