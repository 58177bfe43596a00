"""Extraction of people, places and dates from lines (spaCy French, natasha Russian, dates in words), no database."""

from portal.entities.extraction import extract_lines

WILL = [
    "Ceci est mon testament.",
    "Je soussigné Jean Dupont, demeurant à Caen,",
    "lègue ma maison à ma nièce Marie Leclerc.",
    "Fait à Caen le vingt trois Août mil neuf cent quatorze",
]


def _by_kind(entities, kind):
    return [e for e in entities if e.kind == kind]


def test_a_french_date_in_words_is_read_on_its_line():
    dates = _by_kind(extract_lines(WILL), "date")
    assert [(d.key, d.lines) for d in dates] == [("1914-08-23", [3])]
    assert dates[0].date.calendar == "gregorian"


def test_french_people_and_places_keep_their_lines():
    entities = extract_lines(WILL)
    assert ("Jean Dupont", [1]) in [(e.name, e.lines) for e in _by_kind(entities, "person")]
    assert {tuple(e.lines) for e in _by_kind(entities, "place") if e.name == "Caen"} == {(1,), (3,)}


def test_a_russian_date_in_pre_reform_words_is_read():
    dates = _by_kind(extract_lines(["Писано въ Москвѣ", "двадцать третьяго августа 1721 года"]), "date")
    assert [(d.key, d.lines) for d in dates] == [("1721-08-23", [1])]


def test_an_old_style_date_is_noted_as_julian_with_its_gregorian_day():
    (found,) = _by_kind(extract_lines(["Дано въ Санктъ-Петербургѣ 5 января 1801 года по старому стилю"]), "date")
    assert found.date.calendar == "julian"
    assert found.date.gregorian.isoformat() == "1801-01-17"


def test_russian_names_in_any_case_and_spelling_group_together():
    people = _by_kind(
        extract_lines(["Пріѣхалъ графъ Петръ Толстой изъ Москвы.", "Видѣлъ Петра Толстого вчера."]), "person"
    )
    assert len({p.key for p in people}) == 1
    assert [p.lines for p in people] == [[0], [1]]


def test_a_name_broken_across_two_lines_keeps_both():
    people = _by_kind(extract_lines(["Hier j'ai rencontré Monsieur Jean", "Dupont à Rouen."]), "person")
    assert any(p.lines == [0, 1] for p in people)
