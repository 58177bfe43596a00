"""The semi-diplomatic form: one thing for one sign, whatever convention the ground truth followed."""

import re
import unicodedata

import pytest

from htr.transcription import model_text


@pytest.mark.parametrize(
    ("truth", "written"),
    [
        # CREMMA (cremma-mss-18/19/20): deletions, illegible deletions, superscripts, line-end signs
        ("tableaux >ces cab< cette", "tableaux ces cab cette"),
        ("Il y avait en Wes<>tphalie", "Il y avait en Westphalie"),
        ("de la République de <> demander", "de la République de demander"),
        ("cabinet de m^r de gagni", "cabinet de m^r de gagni"),
        ("ramassis de phrases sonores et inintel¬", "ramassis de phrases sonores et inintel-"),
        ("montre ‸ d'un amateur", "montre d'un amateur"),
        ("fournissant 30 L\u0336 dEspesces", "fournissant 30 L\u0303 dEspesces"),
        ("le moyen d’un", "le moyen d'un"),
        # HTRomance (graphematic): long s, tironian et, abbreviation letters and marks, combining superscripts
        ("Tourner toutes les autres, et C'est ſur ce meme", "Tourner toutes les autres, et C'est sur ce meme"),
        ("des propos ⁊ Vous", "des propos & Vous"),
        ("la creanſe ꝙ ie pretans", "la creanse q\u0303 ie pretans"),
        ("au prince ꝑ ſe", "au prince p\u0303 se"),
        ("par ce pn\u033et,", "par ce pñt,"),
        ("de fe\u033e naistre", "de fẽ naistre"),
        ("de māière", "de mãière"),
        ("Item au dit Richart II\u0368^lt per litt.", "Item au dit Richart II^c^lt per litt."),
        ("24000^₶. par an", "24000^lt. par an"),
        ("voulez ⎀ vous", "voulez vous"),
        ("En son nom Сomme aïant", "En son nom Comme aïant"),  # a Cyrillic С in a Latin line
        # Copiste d'un jour: deletions across a word, quotes, non-breaking spaces
        ("réalisé par Kang Hyeong->chol< cheol,", "réalisé par Kang Hyeong-chol cheol,"),
        ("un >< cinquième tronçon", "un cinquième tronçon"),
        ("« Big Five »\u00a0.", "« Big Five » ."),
    ],
)
def test_each_convention_becomes_the_semi_diplomatic_form(truth, written):
    assert model_text(truth) == unicodedata.normalize("NFC", written)


@pytest.mark.parametrize(
    "truth",
    [
        "[???] ce 5 Septembre de S^t leu",  # illegible: the text is not known
        "En [?] commun cependant, <>",
        "imp_wikitexte_0219",  # Copiste d'un jour page codes
        "wikitexte_0049 2/2",
        "Wikitexte-0201",
        "établit que f(A)=-i=1kf(-i) Ai ,{-displaystyle f(A)=",  # LaTeX residue of the Wikipedia source
        "sum _{i=1}^{k}f(-lambda _{i})~A_{i}~,}où les -i",
        "<> <> <>",
        "   ",
    ],
)
def test_lines_that_teach_nothing_are_left_out(truth):
    assert model_text(truth) == ""


def test_the_plain_form_keeps_the_text_as_given():
    assert model_text(" C'est  ſur >ce< ⁊ m^r ", "plain") == "C'est ſur >ce< ⁊ m^r"


def test_an_unknown_form_is_refused():
    with pytest.raises(ValueError, match="semi-diplomatic"):
        model_text("texte", "diplomatic")


def test_no_set_leaves_a_sign_the_model_is_not_meant_to_write(shared):
    """Every line of every set, brought to the model's form: no deletion marks, long s or abbreviation letters."""
    from htr.formats import read_page

    forbidden = re.compile("[<>ſ⁊ꝑꝓꝙđẜ₶¬‸⎀’‘“”\u00a0\u0304\u033e\u0336\u0363-\u036f]")
    seen = 0
    for xml in sorted((shared / "datasets").rglob("*.xml")):
        for line in read_page(xml).lines:
            text = model_text(line.text)
            assert not forbidden.search(text), (xml.name, line.text, text)
            seen += bool(text)
    assert seen > 13_000
