"""The manuscripts' rules on top of spaCy: lower-case names, titles, place phrases, abbreviations, repeats."""

import pytest

from portal.entities.dates import find_dates
from portal.entities.extraction import extract_lines


def _named(lines, kind):
    return {e.name.lower(): e.lines for e in extract_lines(lines, "fr") if e.kind == kind}


def test_a_lower_case_name_after_a_title_is_a_person():
    assert "lambert" in _named(["nous avons diné chez m^r de lambert qui nous a reçus."], "person")


def test_a_name_after_a_title_runs_over_the_line_break():
    people = _named(["le soir monsieur le baron de", "Montfaucon ten broek arriva."], "person")
    assert people.get("montfaucon ten broek") == [1]


def test_the_place_heading_a_letters_date_is_a_place():
    places = _named(["Rodez, le 3 mars 1802", "Mon cher ami,"], "place")
    assert places == {"rodez": [0]}


def test_a_place_after_a_is_a_place_even_in_lower_case_spelling_of_the_preposition():
    assert "Quimperlé".lower() in _named(["je suis arrivé a Quimperlé hier au soir"], "place")


def test_a_shelfmark_is_no_entity():
    assert extract_lines(["Bibl. nat. N. a. fr."], "fr") == []


def test_a_name_found_once_is_found_again_in_lower_case():
    entities = extract_lines(["le précepteur Bertrandou parla longtemps.", "et bertrandou se tut enfin."], "fr")
    assert sorted(e.lines[0] for e in entities if e.kind == "person" and e.key == "bertrandou") == [0, 1]


def test_an_ordinal_day_before_the_month_is_a_date():
    assert [d.iso for d in find_dates("ce 21 eme d avril")] == ["--04-21"]


def test_the_formula_that_opens_an_acts_closing_line_is_no_place():
    assert _named(["Fait le 3 mai 1850"], "place") == {}
    assert _named(["Fait à Caen, le 3 mai 1850"], "place") == {"caen": [0]}
    assert extract_lines(["Donné, le 3 mai 1850"], "fr")[0].kind == "date"


def test_a_common_verb_after_a_is_no_place_and_a_capitalised_verb_is_no_person():
    lines = ["elle est appelée à faire beaucoup de bien", "je vous prie de croire à mon respect", "cet éffet Chassa"]
    entities = extract_lines(lines, "fr")
    assert [(e.kind, e.name) for e in entities] == []


def test_a_salutation_and_a_pronoun_are_no_person():
    assert _named(["Cher Monsieur", "Vous pardonnerez au Vieillard"], "person") == {}


def test_a_name_broken_after_an_abbreviated_word_is_only_the_name():
    people = _named(["Votre dévoué Serv et H", "Charles Pinoville"], "person")
    assert people == {"charles pinoville": [1]}


def test_an_organisation_needs_a_word_that_says_so():
    kinds = {e.name: e.kind for e in extract_lines(["(Aneas -Sylvius Piccolomini), à l'égard duquel"], "fr")}
    assert kinds == {"Aneas -Sylvius Piccolomini": "person"}
    kinds = {e.name: e.kind for e in extract_lines(["il écrivit à la Société de géographie de Paris"], "fr")}
    assert "organisation" in kinds.values()


def test_a_year_alone_in_brackets_after_depuis_or_closing_a_range_is_a_date():
    text = "1688.\nproduit depuis 1995\nde 1860 à 1891\nAbbey (1956), faite\nprix, 2000. acte"
    assert [d.iso for d in find_dates(text)] == ["1688", "1995", "1860", "1891", "1956"]


def test_a_place_after_a_that_ends_a_sentence_is_no_abbreviation():
    assert "rome" in _named(["les deux poëtes a Rome. Quelles pages exquises."], "place")


def test_a_name_after_a_noun_that_says_what_it_is_is_a_place_or_an_organisation():
    lines = ["demeurant rue de Clery parroisse S^t Eustache", "il joue dans le groupe Cloroform"]
    assert set(_named(lines, "place")) == {"rue de clery", "s^t eustache"}
    assert _named(lines, "person") == {}
    assert set(_named(lines, "organisation")) == {"cloroform"}


def test_an_acronym_that_spacy_calls_an_organisation_stays_one():
    assert "banq" in _named(["mon manuscrit sera utilisé par BAnQ pour des activités"], "organisation")


def test_an_old_spelling_of_a_common_word_is_not_recased_into_a_name():
    assert extract_lines(["je l'a escris et a celui qu'il à devra en ceste charge"], "fr") == []


def test_a_common_word_with_a_capital_of_respect_after_a_determiner_is_no_person():
    assert _named(["je ne puis croire rien le bon ordre que le Roy y a", "mis."], "person") == {}


def test_a_name_alone_on_the_last_lines_is_a_signature():
    lines = ["avec toute seurete sur ce", "de Paris le XXVII jour de juillet 1602", "Bellieute", "45"]
    assert _named(lines, "person") == {"bellieute": [2]}


def test_a_single_word_after_a_that_spacy_calls_a_person_is_a_place():
    assert "hamilton" in _named(["Brian McGrattan (né le 2 septembre 1981 à  Hamilton dans la province"], "place")


def test_a_name_after_an_eighteenth_century_abbreviated_title_is_a_person():
    people = _named(
        [
            "M. pelot Con.^er au parlem^t. Epouse Mad.^elle Megret",
            "adressés a M de Mar pour savoir, M. le chev. de bissy",
            "M. le M.^is de Maillebois partit, le s.^r de Conti aussi",
        ],
        "person",
    )
    # "Con.^er", cut short with its ending raised, ends the name
    assert set(people) == {"pelot", "megret", "mar", "bissy", "maillebois", "conti"}


def test_sa_majeste_abbreviated_is_no_title():
    assert "danoise" not in _named(["de S. M. Danoise la Permission de Louer"], "person")


def test_a_title_ending_a_longer_word_does_not_recase_the_next_word():
    assert _named(["qu'elle soit conduicte", "avec toute seurete sur ce"], "person") == {}


def test_a_title_alone_is_no_place():
    assert _named(["il se mit en pension. Comme Mad^e.", "il y a un mois que Mad̃. Royalle"], "place") == {}


def test_de_la_and_d_join_a_title_to_the_name():
    people = _named(["M. de la houssaye jntend.^t des finances", "M. le duc d'orleans a été"], "person")
    assert {"houssaye", "orleans"} <= set(people)


def test_a_name_introduced_with_a_capital_is_a_name_after_a_title_in_lower_case():
    entities = extract_lines(["Comme Mad^e.", "de Prie en allant a sa terre", "Mad.^e de prie étoit attendue"], "fr")
    assert sorted(e.lines[0] for e in entities if e.kind == "person" and e.key == "prie") == [1, 2]


def test_a_saint_after_a_is_a_place():
    assert "st cloux" in _named(["nous sommes arretés a St Cloux"], "place")


def test_a_name_the_rules_place_keeps_its_kind_where_spacy_meets_it_again():
    lines = ["M. le duc d'orleans a été passer quelques jours", "grande liaison avec la maison d'orleans [ quoi"]
    assert {e.lines[0] for e in extract_lines(lines, "fr") if e.key == "orleans"} == {0, 1}
    assert not [e for e in extract_lines(lines, "fr") if e.key == "orleans" and e.kind != "person"]


def test_a_common_word_after_an_elided_article_is_no_person():
    assert _named(["suivant les derniers avis de Vienne l'Empereur sur les reponces"], "person") == {}


def test_an_eighteenth_century_day_with_a_dot_and_old_month_spellings_are_dates():
    found = find_dates("a Paris le 4. may 1726. A Paris le 10. jan.^er 1726, du 10.^e fev. 1726")
    assert [d.iso for d in found] == ["1726-05-04", "1726-01-10", "1726-02-10"]


def test_a_capitalised_common_noun_after_a_determiner_is_no_place():
    places = _named(
        [
            "le tout ensemble de ce Tableau eſt admirable. Voila le correctif : nos Artistes",
            "ne ſont pas en faute. Il vit au Canada, puis entre les Etats-Unis et l'Europe.",
        ],
        "place",
    )
    assert "tableau" not in places and "artistes" not in places
    assert {"canada", "etats-unis"} <= set(places)


def test_the_names_listed_with_a_person_are_people():
    lines = [
        "On rend justice aux talens de MM. Chardin, Oudry, de la Tour,",
        "Nattoire, &c. les portraits de Lucrèce, Julie, Borcia",
    ]
    people = _named(lines, "person")
    assert {"chardin", "oudry", "tour", "nattoire", "lucrèce", "julie", "borcia"} <= set(people)
    assert not {"oudry", "nattoire", "borcia"} & set(_named(lines, "place"))


def test_a_list_without_a_person_and_a_common_noun_in_a_persons_list_are_no_people():
    people = _named(["Il passa par Paris, Lyon et Rouen, où M. Dupont, Maire et Conseiller, l'attendait."], "person")
    assert set(people) == {"dupont"}


def test_a_name_after_a_noun_of_its_work_is_a_person():
    lines = ["Le pinceau de le Brun eſt seul capable ; la Description de Virgile,", "le tableau de la Vierge."]
    people = _named(lines, "person")
    assert {"le brun", "virgile"} <= set(people) and "vierge" not in people
    assert not {"le brun", "virgile", "pinceau de le brun"} & set(_named(lines, "place"))


def test_a_name_after_chez_is_a_person_even_a_family_named_in_the_plural():
    assert "chevaliers" in _named(["chez les Chevaliers Nous avons", "diné hier."], "person")


def test_a_name_after_the_old_spelling_ches_is_a_person():
    assert "dupont" in _named(["elle est en exil ches Dupont depuis un mois"], "person")


def test_chez_before_a_pronoun_or_a_common_noun_names_no_one():
    assert _named(["il est allé chez vous et chez le notaire."], "person") == {}


def test_a_name_after_chez_that_the_page_places_elsewhere_stays_a_place():
    lines = ["nous allâmes à Caen le lendemain.", "puis nous revînmes chez Caen."]
    assert [(e.kind, e.lines) for e in extract_lines(lines, "fr")] == [("place", [0]), ("place", [1])]


def test_a_name_that_sees_or_says_is_a_person_not_a_place():
    assert _named(["Vallot a veu le malade ce matin"], "person") == {"vallot": [0]}


def test_a_place_that_has_seen_something_happen_stays_a_place():
    assert "rome" in _named(["Rome a vu passer bien des papes"], "place")


def test_ordinal_days_and_roman_hundreds_of_a_notarial_act_are_dates():
    text = (
        "L'an XVI.C quatre vingt huit le quinziéme jour de septembre\n"
        "Et le douze jour d'octobre aud. an XVI.C quatre vingt huit avant jeudi\n"
        "passé le d.e jour l'an XVI.C LXXXVIII\n"
        "l'an mil six cens quatre vingt huit le vingt troisiesme jour du mois de may"
    )
    assert [d.iso for d in find_dates(text)] == ["1688-09-15", "1688-10-12", "1688", "1688-05-23"]
    decomposed = "le quinzie\u0301me jour de septembre 1702"  # an accent as a combining mark, as the ALTO has it
    assert [d.iso for d in find_dates(decomposed)] == ["1702-09-15"]


def test_a_roman_king_and_an_amount_in_words_are_no_years():
    assert find_dates("Louis XIV c'est le roi, pour deux mille livres") == []


def test_the_place_a_letter_is_written_from_is_a_place_not_a_name_after_a_title():
    assert _named(["comme à celui qui est", "Monsieur de Londres ce 26 juin", "Beaumont"], "place")["londres"] == [1]
    assert "beaumont" in _named(["Monsieur de Beaumont est venu ce 5 mai"], "person")


def test_a_dateline_s_place_over_the_line_of_its_date_is_a_place_and_a_folio_does_not_join_a_title_to_it():
    lines = ["chose de plus important Mr", "1", "A Fontainebleau ce", "23 Aoust"]
    assert _named(lines, "place") == {"fontainebleau": [2]}
    assert _named(lines, "person") == {}
    assert "lully" not in _named(["de Lully et Lambert", "2", "Lully", "1683"], "place")


def test_a_name_with_a_title_or_initials_in_brackets_after_it_is_a_person():
    lines = ["1866-24-Diringer (abbé)", "1866 - 30 - Frédault (F.)", "la maison (rue)"]
    assert _named(lines, "person") == {"diringer": [0], "frédault": [1]}


def test_a_common_word_spacy_calls_a_place_is_one_only_after_a_en_au_or_de():
    lines = ["Le seul divin Le Brun est celuy qu'on doit Croire.", "et contente vie de Paris le XXVII jour de juillet"]
    places = _named(lines, "place")
    assert "croire" not in places and "paris" in places


def test_a_common_word_after_an_abbreviated_title_is_a_surname():
    lines = ["heviter donc M^r charpantier", "et M^r duval peuve vous rend", "Monsieur le Président a dit"]
    people = _named(lines, "person")
    assert "charpantier" in people and "président" not in people


def test_le_nomme_introduces_a_person_but_a_thing_that_is_named_is_none():
    assert "detournow" in _named(["calomnies que le nommé detournow a dit,"], "person")
    assert _named(["passagers qui est nommée Citroën SpaceTourer."], "person") == {}


def test_a_king_named_by_his_land_is_a_person():
    people = _named(["q'uil sçait seurement que le Roy", "d'Espagne avoit declaré dans un Conseil"], "person")
    assert "roy d'espagne" in people


def test_old_spellings_fold_to_common_words():
    from portal.entities.french_lexicon import is_common_word

    assert all(is_common_word(w) for w in ["jnpossible", "Soÿt", "plussieurs", "Threzorier", "Intherest"])
    assert not is_common_word("Paignon")


def test_a_title_names_an_office_and_its_land_or_a_surname_with_its_article():
    people = _named(
        [
            "tout le monde plaint beaucoup m.^r le lecteur de baviere que",
            "connoit fort M. Le blanc l'est allé voir, et Monsieur le duc de Luxambourg",
            "M. le juge ; Monsieur le Curé de la paroisse",
        ],
        "person",
    )
    assert {"le lecteur de baviere", "le blanc", "luxambourg"} <= set(people)
    assert not {"le juge", "juge", "le curé de la paroisse", "paroisse"} & set(people)


def test_an_office_bought_is_no_person_and_a_street_after_a_saint_is_a_place():
    lines = [
        "Il emprunte 40 mile livres, pour payer",
        "une charge de Threzorier de france,",
        "bien reprendre le train de lhôtel",
        "des 4 provinces rüe s.^t martin, on",
    ]
    assert _named(lines, "person") == {}
    places = _named(lines, "place")
    assert "rüe s.^t martin" in places and "lhôtel" not in places


def test_a_lone_word_with_its_ending_raised_is_no_signature():
    lines = ["Votre bien humble,", "S^r Marie de l'Enfant-Jésus,", "Sup^re"]
    people = _named(lines, "person")
    assert "marie" in people and not any("sup" in name for name in people)


def test_a_word_broken_over_two_lines_is_read_whole_and_keeps_both_lines():
    from portal.entities.extraction import _joined, extract_lines

    lines = ["une clause du testament de Made-", "moiselle Julie Tessier.", "Adieu"]
    people = {e.name: e.lines for e in extract_lines(lines, "fr") if e.kind == "person"}
    assert people == {"Julie Tessier": [1]}
    text, bounds = _joined(lines)
    assert text == "une clause du testament de Mademoiselle Julie Tessier.\nAdieu"
    assert [text[a:b] for a, b in bounds] == ["une clause du testament de Made", "moiselle Julie Tessier.\n", "Adieu"]
    assert _joined(["à Saint-", "Germain"])[0] == "à Saint-\nGermain"  # a capital goes on a compound name


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("Paris, le 13 nivôse, an >4< 5.^e de la", "1797-01-02"),  # a figure struck out before the year
        ("le 18 brumaire an VIII", "1799-11-09"),
        ("1er vendémiaire an 1", "1792-09-22"),
        ("le 3 fructidor an XII", "1804-08-21"),  # after the six complementary days of year XI
        ("le vingt-deux floréal an deux", "1794-05-11"),
    ],
)
def test_republican_calendar_dates_are_read_as_their_gregorian_day(written, iso):
    from portal.entities.dates import find_dates

    (found,) = find_dates(written, "fr")
    assert (found.iso, found.calendar) == (iso, "republican")


def test_when_was_a_republican_letter_written_answers_the_gregorian_day_and_says_the_calendar():
    from assistant.backends.facts import answer_from_facts, facts_of_passages
    from assistant.backends.quotes import Passage

    texts = ["Citoyen,", "je vous envoie les pièces demandées.", "Salut et fraternité", "Paris, le 13 nivôse, an 5"]
    passages = [Passage(key=str(i), text=t, number=i + 1, page_key="p") for i, t in enumerate(texts)]
    for language, said in (
        ("en", "2 January 1797 (written in the French Republican calendar)"),
        ("ru", "Дата: 2 января 1797 г. (по французскому республиканскому календарю)"),
    ):
        reply = answer_from_facts(
            "When was this written?" if language == "en" else "Когда это написано?",
            passages,
            facts_of_passages(passages, "fr"),
            language,
        )
        assert reply.known and reply.text.startswith(said) and reply.hits[0].passage.key == "3", reply


def test_a_glued_elision_is_a_stop_word_and_a_spent_particle_ends_the_name():
    from portal.entities.french_lexicon import is_stop_word

    assert all(is_stop_word(w) for w in ["quil", "lon", "cest", "dune"]) and not is_stop_word("Laval")
    lines = ["on avoit publié que M. de frejus avoit representé", "a M. le Duc quil ne convenoit pas que le Roy allât"]
    assert _named(lines, "person") == {"frejus": [0]}
