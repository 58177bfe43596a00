"""Who / when / where / what-kind-of-document questions answered from the people, places and dates of the text.

A `Fact` is one entity found on the lines (passages) it names. A question of one of these four kinds is answered
with the fact that fits it best, quoting its lines; a "where" or "who" question about something the facts do not
reach (no place or person near the question's words) returns None, and the archive reader answers it as before.
Imports nothing from Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assistant.backends.fact_context import (
    LIVED_ASKED,
    at_house_of,
    event_asked,
    event_nearness,
    evidence,
    fact_lines,
    is_dateline_place,
    is_event_word,
    is_speaker,
    life_event_of,
    near_lines,
    nearby,
    page_lines,
    quote,
    residence,
    spouse_before,
    word_nearness,
)
from assistant.backends.lexicon import names_a_person, other_spouse, same_meaning
from assistant.backends.quotes import (
    CALIBRATIONS,
    Answer,
    Hit,
    Passage,
    fold,
    is_when_question,
    keywords,
    named_in,
    search,
    word_score,
)
from portal.entities.french_lexicon import TITLES

MONTHS_EN = "January February March April May June July August September October November December".split()
MONTHS_RU = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()

_WHO = re.compile(r"\b(who|whom|whose|кто|кого|кому|кем|ч(?:еи|ья|ье\w*|ьи\w*)|qui)\b")  # чей folds to чеи
_WHERE = re.compile(r"\b(where|где|куда|откуда|what place|which place|what city|какой город|каком месте)\b")
_ABOUT_A_LINE = re.compile(
    r"\b(mentioned|mention|mentions|said|say|says|talk|talks|speak|speaks|говорится|упоминается"
    r"|упомянут|упомянуты|сказано|речь|пишется)\b"
)  # "where is X mentioned?": a line, not a place
_KIND = re.compile(
    r"(what|which) (kind|sort|type) of (document|text|paper|letter)|what is this (document|text|paper)|"
    r"какой это (документ|текст)|что это за (документ|текст|бумага)|какого рода|вид документа|тип документа"
)
_LIST = re.compile(r"\b(people|persons|names|places|cities|dates|люди|лица|имена|места|города|даты|кто упоминается)\b")
_AUTHOR = re.compile(
    r"\b(wrote|written|write|writer|author|signed|sign|sender|sent|написал|написала|автор|подписал"
    r"|подписала|отправил|писал)\b"
)
# Words that say what kind of answer is wanted, not what it is about, and the adverbs and hearsay around it ("who is
# said to be very ill?": ill).
_GENERIC = set(
    """write wrote written writer author signed sign signature sender sent this letter document text page people persons
    names name places place cities city dates date born died addressed adressed mentioned mention mentions happen
    happened написал написала написано автор подписал подписала подпись отправил писал письмо документ текст люди лица
    имена место места города город даты дата родился умер адресовано адресат упоминается случилось произошло
    was were did done made will testament завещание record запись acte act deed contract договор акт составлен
    составлено составлена этот этого эта этои это этом этому письма письме письму письмом документа документе
    документу текста тексте акта акте договора договоре paper
    very still also really often much well yet already said reported rumoured rumored
    может могут можно подтвердить подтверждает confirm confirms
    очень тяжело сильно ещё еще уже часто хорошо говорят говорили
    report донесение донесения донесении отчет рапорт чьему чьеи чьих чьим чье чья
    which what какои какая какую какого какому каким каких какие которыи которая которое которого которому которым
    которых которые""".split()
)
# Cue words that say what kind of document a text is, with its name (in Russian from the .po).
_DOCUMENT_KINDS = [
    (r"\b(testament|lègue|legue|légue|je legue|legs|dernieres volontes|завещани|завещаю)\w*", gettext_noop("a will")),
    (
        r"\b(acte de naissance|acte de bapteme|baptise|крещен|метрическ)\w*",
        gettext_noop("a birth or baptism record"),
    ),
    (r"\b(acte de mariage|mariage|венчан|брак)\w*", gettext_noop("a marriage record")),
    (r"\b(acte de deces|deces|inhume|умер|погребен)\w*", gettext_noop("a death or burial record")),
    (r"\b(quittance|recu la somme|расписк|получил сполна)\w*", gettext_noop("a receipt")),
    (
        r"\b(contrat|bail|vente|vend(u|ue|us|ues|ent|it|ons|re)\b|traite (pour|de|entre|fait)|acte par|договор|купчая)\w*",
        gettext_noop("a contract or deed"),
    ),
    (r"\b(proces verbal|протокол)\w*", gettext_noop("a report (procès-verbal)")),
    (r"\b(petition|supplique|прошени|челобитн)\w*", gettext_noop("a petition")),
    (r"\b(inventaire|опись)\w*", gettext_noop("an inventory")),
    (r"\b(journal|дневник)\b", gettext_noop("a journal or diary")),
    (
        r"\b(mon cher|ma chere|monsieur|madame|mon ami|votre tres humble|милостивый государь|милостивая государыня"
        r"|любезный|ваш покорный|честь имею)\b",
        gettext_noop("a letter"),
    ),
]
_WHICH = re.compile(r"\b(?:which|what|как(?:ои|ая|ую|ого|ому|им|их|ие)|котор\w*)\s+(\w+)")
_ADDRESSEE = re.compile(r"\b(addressed|adressed|to whom|recipient|кому|адресован|адресовано|адресат)\b")
_SELF_NAMED = re.compile(r"\b(soussigne|soussignee|je|moi|signe|нижеподписавш\w*|я)\b")  # "je soussigné Jean Dupont"
_SALUTATION = re.compile(r"\b(cher|chere|mon ami|monsieur|madame|adresse|милостив|любезн|дорог)\w*")
_SIGNATURE_TITLE = re.compile(
    r"mgr|monseigneur|cardinal|card|abbé|abbe|père|pere|frère|frere|sœur|soeur|comte|comtesse|baron|baronne|marquis"
    r"|évêque|eveque|archevêque|archeveque|curé|cure|prêtre|pretre|notaire|ваш|граф|графиня|князь|княгиня"
)
# "When was this deed made?": the document's own date (its dateline), not that of a sale the deed tells of
_THIS_DOCUMENT = re.compile(
    r"\b(this|these|ce|cet|cette|этот|эта|это|этого|этои|этом)\s+(deed|act|contract|document|letter|will|record|paper"
    r"|acte|contrat|traite|lettre|testament|акт|договор|документ|письмо|завещание|запись)\b"
)
# The formula that dates a notarial act, "L'an mil six cens quatre vingt huit le quinziéme jour de septembre"
_ACT_DATE = re.compile(r"l['’]an\b.*\bjour\b", re.IGNORECASE)
_PARTICLES = {"de", "du", "des", "la", "le", "les", "van", "von", "der", "den", "ten", "dit", "dite", "sieur"}
_WRITTEN_CUE = re.compile(r"\b(fait|ecrit|donne|ce|le|писано|писал|дано|дан|подписано)\b")


@dataclass
class Fact:
    kind: str  # "person", "place", "organisation", "date"
    name: str  # as shown: "Caen", "1914-08-23"
    text: str  # as written
    keys: list[str]  # the passages (lines) it is on
    iso: str = ""
    calendar: str = ""  # "julian": old style
    gregorian: str = ""  # an old-style date's Gregorian day (ISO)


def question_kind(question: str) -> str | None:
    """ "when", "who", "where", "kind" or None (a question for the line reader)."""
    folded = fold(question)
    if _KIND.search(folded):
        return "kind"
    if _WHO.search(folded) or any(names_a_person(m.group(1)) for m in _WHICH.finditer(folded)):
        return "who"  # "Which priest gave…?", "Какой священник…?": a kind of person asked for
    if _WHERE.search(folded):
        return None if _ABOUT_A_LINE.search(folded) and not _LIST.search(folded) else "where"
    if is_when_question(question):
        return "when"
    return None


def say_date(iso: str, language: str) -> str:
    """ "1914-08-23" → "23 August 1914" / "23 августа 1914 г."; "--10-13" → "13 October"."""
    match = re.fullmatch(r"(\d{4}|-)-?(\d{2})?-?(\d{2})?", iso)
    if not match:
        return iso
    year, month, day = match.groups()
    year = "" if year == "-" else str(int(year))
    months = MONTHS_RU if language == "ru" else MONTHS_EN
    parts = [str(int(day)) if day else "", months[int(month) - 1] if month else "", year]
    text = " ".join(p for p in parts if p)
    return text + (" г." if language == "ru" and year else "")


def _topic(question: str) -> list[str]:
    return [w for w in keywords(question) if w not in _GENERIC and not is_event_word(w)]


def _near_score(terms: list[str], fact: Fact, by_key: dict[str, int], passages: list[Passage]) -> float:
    """How well the question's words appear on the fact's lines and their neighbours (the line itself counts most)."""
    best = 0.0
    for passage, weight in near_lines(fact, by_key, passages):
        words = fold(passage.text).split()
        best = max(best, weight * (sum(word_score(t, words) for t in terms) / len(terms)))
    return best


def _edge_score(fact: Fact, by_key: dict[str, int], passages: list[Passage], facts: list[Fact], question: str) -> float:
    """Letters and acts are dated and signed in their first or last lines, after "fait à…", "ce…", "писано…";
    the place they were written at shares its line with the date or heads it; the writer signs last, the addressee is
    greeted first ("Cher Monsieur…")."""
    best = 0.0
    folded_question = fold(question)
    dated = {k for f in facts if f.kind == "date" for k in f.keys}
    for i in fact_lines(fact, by_key):
        key = passages[i].key
        same_page, position = page_lines(passages, i)
        first, last = position < 3, position >= len(same_page) - 3
        line = fold(passages[i].text)
        edge = 1.0 if first or last else 0.0
        cue = 1.0 if _WRITTEN_CUE.search(line) else 0.0
        score = edge + cue + (0.3 if fact.iso[:1].isdigit() else 0.0) + (1.0 if fact.iso.count("-") == 2 else 0)
        if fact.kind == "place":  # "Nîmes, le 13 X^bre 1866", or a heading "A Roüen" over "15 Septembre 1688."
            below = same_page[position + 1].key if position + 1 < len(same_page) else None
            score += 1.0 if key in dated or below in dated else 0.0
        elif fact.kind == "person":
            greeted = bool(_SALUTATION.search(line))
            if _ADDRESSEE.search(folded_question):
                score += (1.0 if greeted else 0.0) + (0.5 if first else 0.0)
            else:
                signs_last = last and len(same_page) > 6  # on a short page every line is first and last
                speaker = 3.0 if is_speaker(fact, by_key, passages) else 1.5 if _SELF_NAMED.search(line) else 0.0
                score += speaker + (1.0 if signs_last else 0.0)
                score += 2.5 if _signature_line(passages[i].text, fact.text) else 0.0
                score += position / (10 * len(same_page)) - (1.0 if greeted else 0.0)
        best = max(best, score)
    return best


def _greeted_first(fact: Fact, by_key: dict[str, int], passages: list[Passage]) -> bool:
    """The person is greeted on one of the page's first three lines ("Cher Monsieur Veuillot,"): the addressee."""
    for i in fact_lines(fact, by_key):
        if page_lines(passages, i)[1] < 3 and _SALUTATION.search(fold(passages[i].text)):
            return True
    return False


def _signature_line(line: str, name: str) -> bool:
    """The name alone on its line but for titles, abbreviations and marks ("+ Clém. Card. Villecourt"): a
    signature, wherever it falls on the page (a letter may end mid-page)."""
    rest = line.replace(name, " ", 1) if name in line else None
    if rest is None:
        return False
    words = re.findall(r"[^\W\d_]+\.?", rest)
    return all(w.endswith(".") or len(w) <= 2 or _SIGNATURE_TITLE.fullmatch(w.lower()) for w in words)


def _ranked_facts(
    question: str, candidates: list[Fact], by_key: dict[str, int], passages: list[Passage], embedder, vectors
) -> list[tuple[float, Fact]]:
    """Each fact scored by how well the assistant's line search (meaning across languages + spelling) finds its
    line or a neighbour of it; a name the question itself gives is not its answer."""
    cal = CALIBRATIONS[embedder.name]
    ranked = search(question, passages, embedder=embedder, vectors=vectors, translate=True)
    line_score = {h.passage.key: h.score for h in ranked}
    scored = []
    for fact in _not_asked(candidates, question):
        best = 0.0
        for passage, weight in near_lines(fact, by_key, passages):
            best = max(best, weight * line_score.get(passage.key, 0.0))
        if fact.kind == "person":
            for passage, weight in _sentence_on(fact, by_key, passages):
                best = max(best, weight * line_score.get(passage.key, 0.0))
        if best >= cal.threshold:
            scored.append((best, fact))
    return scored


# How much of a line's fit a person named two and three lines before it gets: the subject of a sentence that runs on
# over the lines to what he did ("Le fils de feu m. Paignon rue des / deux boulles / Il emprunte 40 mile livres").
_SUBJECT_REACH = ((2, 0.6), (3, 0.5))


def _sentence_on(fact: Fact, by_key: dict[str, int], passages: list[Passage]) -> Iterator[tuple[Passage, float]]:
    """(passage, weight) of the lines two and three after a person's line on the same page, while the sentence that
    names the person goes on (no line between ends with a full stop)."""
    for i in fact_lines(fact, by_key):
        for offset, weight in _SUBJECT_REACH:
            j = i + offset
            if j >= len(passages) or passages[j].page_key != passages[i].page_key:
                break
            if any(passages[k].text.rstrip().endswith((".", "!", "?")) for k in range(i, j)):
                break
            yield passages[j], weight


def _not_asked(candidates: list[Fact], question: str) -> list[Fact]:
    """A person or place the question itself names ("who was the wife of Jean Dupont?") is not its answer; one who
    shares only a family name with it may be ("Who was Lully's eldest son?": Louis Lully)."""
    return [f for f in candidates if f.kind not in ("person", "place") or not _fully_named(f.name, question)]


def _fully_named(name: str, question: str) -> bool:
    """Every word of the name the question gives (particles and initials aside): "Jean Dupont" in "the wife of Jean
    Dupont", "Dupont" in "Dupont's wife"; not "Louis Lully" in "Lully's son"."""
    words = [w for w in name.split() if len(w) >= 3 and w.lower() not in _PARTICLES]
    return bool(words) and all(named_in(w, question) for w in words) or not words and named_in(name, question)


def _describe_date(fact: Fact, language: str) -> str:
    said = say_date(fact.iso, language)
    if fact.calendar == "republican":  # the day in the Gregorian calendar; the quote shows it as written
        return _("%(date)s (written in the French Republican calendar)") % {"date": said}
    if fact.calendar != "julian":
        return said
    if fact.gregorian:
        return _("%(date)s (old style, Julian calendar; %(gregorian)s in the Gregorian calendar)") % {
            "date": said,
            "gregorian": say_date(fact.gregorian, language),
        }
    return _("%(date)s (old style, Julian calendar)") % {"date": said}


def answer_from_facts(
    question: str, passages: list[Passage], facts: list[Fact], language: str, *, embedder=None, vectors=None
) -> Answer | None:
    """The answer to a who / when / where / what-kind question from the facts; None: leave it to the line reader.
    With an embedder, a question about something ("who closed the door?") finds its lines by meaning, so an
    English question reaches French or Russian lines. The answer is in `language` (the .po's words for Russian)."""
    with translation.override(language):
        return _facts_answer(question, passages, facts, language, embedder=embedder, vectors=vectors)


def _facts_answer(question, passages, facts, language, *, embedder, vectors) -> Answer | None:
    kind = question_kind(question)
    if kind is None or not passages:
        return None
    by_key = {p.key: i for i, p in enumerate(passages)}
    many_pages = len({p.page_key for p in passages}) > 1
    if kind == "kind":
        return _document_kind(passages, language, many_pages)
    wanted = {"when": ("date",), "who": ("person",), "where": ("place",)}[kind]
    candidates = [
        f
        for f in facts
        if f.kind in wanted
        and any(k in by_key for k in f.keys)
        and not (f.kind == "person" and all(names_a_person(w) for w in fold(f.name).split()))  # "Commis-greffier"
    ]
    if kind == "where":  # "en exil ches Mme N Hunay": at someone's house is where one is
        candidates += [
            replace(f, kind="place", name=house)
            for f in facts
            if f.kind == "person" and (house := at_house_of(f, by_key, passages))
        ]
    if kind == "where" and LIVED_ASKED.search(question.lower()):
        lived = _lived_at(question, facts, by_key, passages)
        if lived is not None:
            return _fact_answer(lived, by_key, passages, language, many_pages)
    terms = _topic(question)
    folded = fold(question)
    roles = _role_terms(terms, facts)
    if kind == "who" and roles and (spouse := _spouse_asked(question, roles, facts, by_key, passages)):
        return _fact_answer(spouse, by_key, passages, language, many_pages)
    if terms and embedder is not None:
        scored = _ranked_facts(question, candidates, by_key, passages, embedder, vectors)
        if not scored and kind == "who":  # the line search missed the act, the lexicon may know its word
            scored = _near_asked_word(question, candidates, roles, by_key, passages)
        if not scored:
            return None
    elif terms:
        scored = [(_near_score(terms, f, by_key, passages), f) for f in _not_asked(candidates, question)]
        scored = [(s, f) for s, f in scored if s >= 0.5]
        if not scored:
            return None  # nothing of that kind near the question's words: the line reader decides
    elif kind == "who" and not _AUTHOR.search(folded) or _LIST.search(folded):
        return _list(kind, candidates, by_key, passages, language, many_pages)
    else:
        if kind == "where":  # where this was written: a dateline's place, never one the body mentions
            dates = [f for f in facts if f.kind == "date"]
            candidates = [f for f in candidates if is_dateline_place(f, dates, by_key, passages)]
            if not candidates:
                text = _(
                    "I don't know: no dateline (a place beside the date, as in “Fait à Caen le…”) says where this was written."
                )
                return Answer(text=text, hits=[], known=False, language=language)
        if kind == "who" and not _ADDRESSEE.search(folded):  # the one greeted first is written to, not the writer
            candidates = [f for f in candidates if not _greeted_first(f, by_key, passages)]
            if not candidates:
                text = _("I don't know: no name in the text signs it or says who wrote it.")
                return Answer(text=text, hits=[], known=False, language=language)
        scored = [(_edge_score(f, by_key, passages, facts, question), f) for f in candidates]
    if not scored:
        return None if kind != "when" else _unknown(kind, language)
    event = event_asked(question) if kind in ("when", "where") else None
    if event is not None:
        scored = _by_event(scored, event, by_key, passages, topical=bool(terms))
        if kind == "when" and _THIS_DOCUMENT.search(folded):  # "L'an 1688 le 15 jour de septembre": the act's own
            scored = [((max(n, float(_ACT_DATE.match(f.text) is not None)), s), f) for (n, s), f in scored]
        if kind == "when" and _of_another_life_event(scored, event, by_key, passages):
            text = _("I don't know: the text gives the date of another event, not of the one asked about.")
            return Answer(text=text, hits=[], known=False, language=language)
    elif kind == "who" and terms:
        scored = _by_word(scored, question, roles, facts, by_key, passages)
    # on a tie, a name written with a capital before one written small ("apris" that spaCy took for a name), then
    # the first on the page
    score, best = max(
        scored, key=lambda pair: (pair[0], pair[1].name[:1].isupper(), -min(by_key.get(k, 0) for k in pair[1].keys))
    )
    return _fact_answer(best, by_key, passages, language, many_pages)


def _fact_answer(fact: Fact, by_key: dict[str, int], passages: list[Passage], language: str, many_pages: bool):
    """ "Caen: “Fait à Caen le…” (line 4)." or "23 August 1914 — “…”.": the fact, quoting its lines."""
    hits = evidence(fact, by_key, passages, 1.0)
    quoted = quote(hits[:2], language, many_pages)
    if fact.kind == "date":
        text = _("%(date)s — %(quote)s.") % {"date": _describe_date(fact, language), "quote": quoted}
    else:
        text = _("%(name)s: %(quote)s.") % {"name": fact.name, "quote": quoted}
    return Answer(text=text, hits=hits, known=True, language=language)


def _lived_at(question: str, facts: list[Fact], by_key: dict[str, int], passages: list[Passage]) -> Fact | None:
    """ "Where did Jean Louis de Lully live?": the place named with the word of dwelling after the person the
    question names (the one most of whose words it gives: not Jean Baptiste de Lully), in page order."""
    persons = [f for f in facts if f.kind == "person" and any(k in by_key for k in f.keys)]
    places = [f for f in facts if f.kind == "place" and any(k in by_key for k in f.keys)]
    given = [(sum(named_in(w, question) for w in f.name.split()), f) for f in persons]
    most = max((n for n, _f in given), default=0)
    for n, person in given:
        if n == most and n > 0 and (found := residence(person, places, persons, by_key, passages)) is not None:
            return found
    return None


def _by_event(
    scored: list[tuple[float, Fact]], event, by_key: dict[str, int], passages: list[Passage], *, topical: bool
) -> list[tuple[tuple[float, float], Fact]]:
    """A question about an event ("when did X die?") wants the date or place beside the words that name it ("et
    mort le 25 juin 1995"), not the nearest date ("né le 14 novembre 1914" on the line before): the facts nearest
    the event come first. When the question names its topic too, only facts that fit it well enough compete."""
    floor = 0.6 * max(s for s, _f in scored) if topical else float("-inf")
    return [((event_nearness(f, event, by_key, passages), s), f) for s, f in scored if s >= floor]


def _of_another_life_event(scored: list, event, by_key: dict[str, int], passages: list[Passage]) -> bool:
    """ "When did X die?" over "X (né le 6 novembre 2001) est un coureur": no date stands beside the event asked
    about, and the best fitting one belongs to another (a birth), so the page does not say."""
    if not scored or any(nearness > 0 for (nearness, _s), _f in scored):
        return False
    best = max(scored, key=lambda pair: pair[0][1])[1]
    owner = life_event_of(best, by_key, passages)
    return owner is not None and owner.pattern != event.pattern


def _by_word(
    scored: list[tuple[float, Fact]],
    question: str,
    terms: list[str],
    facts: list[Fact],
    by_key: dict[str, int],
    passages: list[Passage],
) -> list:
    """ "Who was the tutor?", "who was the wife of X?", "who blessed it?": where the page says the role or the act
    in any language (`lexicon`: précepteur, épouse, Bénédiction), the person beside that word comes first among
    those that fit the question well enough, as `_by_event` does for dates and places. Only the question's first
    word of substance says what the person is or did: in "who saw the doctor's prescription?" a doctor is not who
    is asked for. Where that word is not in the lexicon, the question's verb of an event or of writing is ("Who died
    at Metz?" over "la mort … du sieur de Beaumount", "Кто написал песню…?" over "chanson écrite … par Michel Berger")."""
    persons = [f for f in facts if f.kind == "person"]
    words = _asked_words(question, terms, passages)
    if not words or not scored:
        return scored
    floor = 0.6 * max(s for s, _f in scored)
    return [((word_nearness(f, words, question, persons, by_key, passages), s), f) for s, f in scored if s >= floor]


def _asked_words(question: str, terms: list[str], passages: list[Passage]) -> set[str]:
    """The page's words (folded) of the role or act a who-question asks about: of its first word of substance, else
    of a later word that names an act (never a role: in "who saw the doctor's prescription?" no doctor is asked
    for), else of its verb of an event or of writing; the empty set where the page has none of them."""
    vocabulary = {w for p in passages for w in fold(p.text).split()}
    verbs = [w for w in fold(question).split() if is_event_word(w) or _AUTHOR.fullmatch(w)]
    acts = [t for t in terms[1:] if not names_a_person(t)]  # "Who is ordered to pay…?" over "payez comptant"
    return next((found for term in [*terms[:1], *acts, *verbs] if (found := same_meaning(term, vocabulary))), set())


# A line that ends in the middle of naming someone: a preposition or a title ("par ordre de feu Monseigneur").
_RUNS_ON = re.compile(rf"(?:\b(?:de|du|des|par|feu)|d['’]|\b(?:{TITLES}))\.?\s*$", re.IGNORECASE)


def _near_asked_word(
    question: str, candidates: list[Fact], terms: list[str], by_key: dict[str, int], passages: list[Passage]
) -> list[tuple[float, Fact]]:
    """ "Кто может подтвердить, что автор ещё выздоравливает?" over "M^r duval … que je suis encore / convalesant":
    where the line search finds no line close enough, the people a word the lexicon says the question's word means
    follows in their sentence: on their line 1.0, the next 0.7, two or three lines on 0.6 and 0.5. Someone named
    after the word is not its doer ("de Robec a recu une lettre … / on avoit publié que M. de frejus") unless the
    word's line runs on into the name ("par ordre de feu Monseigneur / Le duc d'orleans": 0.7)."""
    words = _asked_words(question, terms, passages)
    if not words:
        return []
    said = [bool(words & set(fold(p.text).split())) for p in passages]
    scored = []
    for fact in _not_asked(candidates, question):
        weights = [w for j, w in nearby(fact, by_key, passages, ((0, 1.0), (1, 0.7))) if said[j]]
        weights += [
            0.7
            for j, _w in nearby(fact, by_key, passages, ((-1, 0.7),))
            if said[j] and _RUNS_ON.search(passages[j].text)
        ]
        weights += [w for p, w in _sentence_on(fact, by_key, passages) if said[by_key[p.key]]]
        if weights:
            scored.append((max(weights), fact))
    return scored


def _role_terms(terms: list[str], facts: list[Fact]) -> list[str]:
    """The question's words but the names the page gives ("Who was Lully's eldest son?": eldest, son): a name says
    whose, not what."""
    return [t for t in terms if not any(f.kind == "person" and named_in(t, f.name) for f in facts)] or terms


def _spouse_asked(question: str, terms: list[str], facts: list[Fact], by_key: dict[str, int], passages: list[Passage]):
    """ "Who was the husband of Gabrielle Hilaire de Lully?" over "Jacques Du Molin … a cause de dame Gabrielle /
    Hilaire de Lully son epouse": the one named before the wife the question names, however weakly the line search
    finds him (the page never says "husband"); None where the page does not say so."""
    persons = [f for f in facts if f.kind == "person" and any(k in by_key for k in f.keys)]
    spouses = other_spouse(terms[0], {w for p in passages for w in fold(p.text).split()})
    if not spouses:
        return None
    for named in persons:
        if named_in(named.name, question):
            found = spouse_before(named, spouses, persons, by_key, passages)
            if found is not None and not _fully_named(found.name, question):
                return found
    return None


def _list(kind, candidates, by_key, passages, language, many_pages) -> Answer:
    if not candidates:
        return _unknown(kind, language)
    seen, hits, names = set(), [], []
    for fact in candidates:
        if fact.name.lower() in seen:
            continue
        seen.add(fact.name.lower())
        names.append(fact.name if fact.kind != "date" else say_date(fact.iso, language))
        hits += evidence(fact, by_key, passages, 1.0)[:1]
    hits, names = hits[:5], names[:5]
    head = {"who": _("People named"), "where": _("Places named"), "when": _("Dates")}[kind]
    text = f"{head}: {', '.join(names)} — {quote(hits, language, many_pages)}."
    return Answer(text=text, hits=hits, known=True, language=language)


def _unknown(kind: str, language: str) -> Answer:
    text = {
        "who": _("I don't know: the text names no person."),
        "where": _("I don't know: the text names no place."),
        "when": _("I don't know: the text gives no date."),
    }[kind]
    return Answer(text=text, hits=[], known=False, language=language)


def _document_kind(passages: list[Passage], language: str, many_pages: bool) -> Answer:
    """The kind a heading names ("Traité pour un opera" over "A Roüen": one of a page's first three lines of words)
    comes first, whatever the body goes on to mention; else the first kind, in the order of `_DOCUMENT_KINDS`, whose
    words some line says."""
    pages: dict[str, list[Passage]] = {}
    for p in passages:
        if re.search(r"[^\W\d_]", p.text):  # a folio's number is no heading
            pages.setdefault(p.page_key, []).append(p)
    headings = [p for lines in pages.values() for p in lines[:3]]
    for pattern, name in _DOCUMENT_KINDS:
        cue = re.compile(pattern)
        found = [p for p in headings if cue.search(fold(p.text))]
        if found:
            return _kind_answer(name, found, language, many_pages)
    for pattern, name in _DOCUMENT_KINDS:
        cue = re.compile(pattern)
        found = [p for p in passages if cue.search(fold(p.text))]
        if found:
            return _kind_answer(name, found, language, many_pages)
    text = _("I don't know what kind of document this is: no words of the text say so.")
    return Answer(text=text, hits=[], known=False, language=language)


def _kind_answer(name: str, found: list[Passage], language: str, many_pages: bool) -> Answer:
    hits = [Hit(passage=p, score=1.0) for p in found[:2]]
    quoted = quote(hits, language, many_pages)
    text = _("It reads like %(kind)s: %(quote)s.") % {"kind": _(name), "quote": quoted}
    return Answer(text=text, hits=hits, known=True, language=language)


def facts_of_passages(passages: list[Passage], language: str | None = None) -> list[Fact]:
    """Extract the facts of passages that have no stored entities (an uploaded page, a benchmark page): page by page,
    with the same extraction the archive's worker runs."""
    from portal.entities.extraction import extract_lines

    pages: dict[str, list[Passage]] = {}
    for p in passages:
        pages.setdefault(p.page_key, []).append(p)
    facts = []
    for lines in pages.values():
        for e in extract_lines([p.text for p in lines], language):
            facts.append(fact_of(e.kind, e.name, e.text, [lines[i].key for i in e.lines], e.date))
    return facts


def fact_of(
    kind: str,
    name: str,
    text: str,
    keys: list[str],
    found_date=None,
    *,
    iso: str = "",
    calendar: str = "",
    gregorian: str = "",
) -> Fact:
    if found_date is not None:
        iso, calendar = found_date.iso, found_date.calendar
        gregorian = found_date.gregorian.isoformat() if found_date.gregorian else ""
    return Fact(kind=kind, name=name, text=text, keys=keys, iso=iso, calendar=calendar, gregorian=gregorian)
