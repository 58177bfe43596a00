"""The same role or event in English, French and Russian: a question's key word found on lines of another language.

"Who was the tutor?" over a page that says "le précepteur Pangloss", "Где умер Папа?" over "Le Pape … qu'il mourut à
Ancône": the letters of the question's word are nowhere on the page, and the embedder's sentence vectors of a short
question and a long line in another language sit too close to every line to tell. A small hand-made lexicon of the
people (kin, clergy, rulers, trades) and the acts (bless, die, send, write, sign…) that archive papers name says
which words of a line mean a word of the question.

Each concept is one pattern per language (English, French, Russian), matched against whole words of the folded text
(`quotes.fold`: lower case, accents and pre-reform letters gone, so "Bénédiction" is "benediction", "женой" is
"женои"); old French spellings ("escrit", "Roy", "Reyne", "espouse", "prestre") sit beside the modern ones. A word
may belong to several concepts ("gouverneur": a tutor or a governor; "épouse": a wife, and the verb to marry).
A word whose folded form is another common word is left out ("marié" folds to the name "Marie", "né" to "ne").
Imports nothing from Django.
"""

from __future__ import annotations

import re
from functools import lru_cache

# (English, French, Russian): alternatives of whole folded words.
CONCEPTS: list[tuple[str, str, str]] = [
    # Family
    (
        r"wife|wives|spouses?|widows?",
        r"es?pouses?|femmes?|veuves?|vefve",
        r"жен[аыеуи]|женои|женою|супруг\w*|вдов[аыеуи]|вдовои|вдовица",
    ),
    (
        r"husbands?|spouses?|widowers?",
        r"maris?|es?poux|veufs?",
        r"муж|мужа|мужу|мужем|муже|мужья|супруг\w*|вдовец|вдовц\w*",
    ),
    (r"sons?", r"fils", r"сын\w*"),
    (r"eldest|elder|oldest|older", r"aines?|ainees?|aisnes?|aisnees?", r"старш\w*"),
    (r"youngest|younger", r"cadets?|cadettes?|puines?|puinees?", r"младш\w*"),
    (r"daughters?", r"filles?", r"доч\w*"),
    (r"children|child", r"enfants?", r"дети|детеи|детям|детьми|детях|ребен\w*|дитя"),
    (r"fathers?", r"peres?", r"отец|отц\w*|батюшк\w*"),
    (r"mothers?", r"meres?", r"мать|матер\w*|матушк\w*"),
    (r"brothers?", r"freres?", r"брат|брата|брату|братом|брате|братья\w*|братец"),
    (r"sisters?", r"soeurs?", r"сестр\w*"),
    (
        r"relatives?|relations?|kinsm[ae]n|kinswom[ae]n|kin|related|cousins?",
        r"parente?s?|cousine?s?|alliee?s?",
        r"родственни\w*|родн[яио]\w*|кузен\w*|кузин\w*",
    ),
    (r"uncles?", r"oncles?", r"дяд[яиеюу]|дядеи|дядею|дядюшк\w*"),
    (r"aunts?", r"tantes?", r"тет[яиеюу]|тетеи|тетк\w*|тетушк\w*"),
    (r"nephews?", r"neveux?", r"племянник\w*"),
    (r"nieces?", r"nieces?", r"племянниц\w*"),
    (r"grandfathers?", r"aieul|ayeul", r"дед|деда|деду|дедом|деде|дедушк\w*"),
    (r"grandmothers?", r"aieule|ayeule", r"бабушк\w*|бабк\w*"),
    (r"godfathers?|godmothers?|godparents?|sponsors?", r"parrains?|marraines?", r"крестн\w*|восприемни\w*"),
    (r"heirs?|heiress\w*", r"heritiers?|heritieres?", r"наследни\w*"),
    (r"guardians?", r"tuteurs?|tutrices?", r"опекун\w*"),
    # Teachers, clergy, rulers, trades
    (
        r"tutors?|teachers?|preceptors?|governess\w*|schoolmasters?",
        r"precepteurs?|preceptrices?|gouverneurs?|gouvernantes?|instituteurs?|institutrices?|pedagogues?|tuteurs?",
        r"наставни\w*|учител\w*|гувернер\w*|гувернантк\w*|воспитател\w*|репетитор\w*",
    ),
    (r"governors?", r"gouverneurs?", r"губернатор\w*|наместни\w*"),
    (
        r"priests?|curates?|vicars?|clergyman|clergymen|parsons?|pastors?|chaplains?|abbes?",
        r"pretres?|prestres?|cures?|vicaires?|abbes?|aumoniers?|chapelains?|pasteurs?",
        r"священни\w*|иере\w*|батюшк\w*|поп|попа|попу|попом|дьякон\w*|диакон\w*|духовни\w*",
    ),
    (r"bishops?", r"eve?s?ques?", r"епископ\w*|архиере\w*|владык\w*"),
    (r"archbishops?", r"archeve?s?ques?", r"архиепископ\w*"),
    (r"popes?|pontiffs?", r"papes?|pontifes?", r"пап[аыеуи]|папои|папою|понтифик\w*"),
    (
        r"kings?|majesty|majesties",
        r"rois?|roys?|majestes?",
        r"цар[ьяюие]|царем|государ[ьяюие]|государем|корол[ьяюе]|королем|величеств\w*",
    ),
    (r"queens?", r"reines?|reynes?", r"царица|цариц\w*|королев\w*|государын\w*|императриц\w*"),
    (r"emperors?|empress\w*", r"empereurs?|imperatrices?", r"император\w*|императриц\w*"),
    (r"dukes?|duchess\w*", r"ducs?|duchesses?", r"герцог\w*"),
    (r"counts?|earls?|countess\w*", r"comtes?|comtesses?", r"граф|графа|графу|графом|графе|графин[яиюе]|графинею"),
    (r"notary|notaries", r"notaires?|tabellions?", r"нотариус\w*"),
    (r"doctors?|physicians?|surgeons?", r"medecins?|docteurs?|chirurgiens?", r"врач\w*|доктор\w*|лекар\w*|хирург\w*"),
    (r"witness\w*", r"temoins?|tesmoins?", r"свидетел\w*"),
    (
        r"servants?|maids?|valets?",
        r"serviteurs?|servantes?|domestiques?|valets?|laquais",
        r"слуг\w*|служанк\w*|лаке[ияю]\w*",
    ),
    (r"merchants?|traders?", r"marchands?|negociants?", r"купец|купц\w*"),
    (r"painters?", r"peintres?", r"живописц\w*|живописец|художни\w*"),
    (r"secretary|secretaries", r"secretaires?", r"секретар\w*"),
    (
        r"clerks?|registrars?|scribes?|recorders?",
        r"greffiers?|commis|clercs?|scribes?|tabellions?",
        r"писар\w*|письмоводител\w*|секретар\w*|делопроизводител\w*",
    ),
    (r"judges?|magistrates?", r"juges?|magistrats?|baillis?|baillys?", r"суд[ья]\w*|судь[яиею]\w*|судеи|магистрат\w*"),
    (r"friends?", r"amis?|amies?", r"друг|друга|другу|другом|друзья\w*|приятел\w*"),
    # Acts and events
    (
        r"bless\w*|benediction\w*",
        r"beni[rst]?|benie?s?|beniss\w*|benira\w*|benediction\w*",
        r"благослов\w*",
    ),
    (
        r"die|died|dies|dying|dead|death|deaths|deceased",
        r"mort|morte|morts|mortes|mourut|moururent|mourir|meurt|meurent|mourant\w*|decede\w*|deces|trepass\w*",
        r"умер\w*|умир\w*|скончал\w*|смерт\w*|престави\w*|преставл\w*|почил\w*|кончин\w*",
    ),
    (
        r"born|birth\w*",
        r"nee|nees|naissance|naquit|naquirent|naitre",
        r"рожд\w*|родил\w*|родив\w*",
    ),
    (
        r"baptis\w*|baptiz\w*|christen\w*",
        r"baptis\w*|bapte?s?mes?|ondoy\w*",
        r"крещ\w*|крести\w*",
    ),
    (
        r"marry|married|marriage\w*|wed|wedding\w*|wedded",
        r"mariage\w*|mariee|mariees|maries|marierent|es?pous[ae]\w*",
        r"венча\w*|венчан\w*|женил\w*|замуж\w*|брак|брака|браке|браком",
    ),
    (r"bur(?:y|ied|ial|ials)", r"inhum\w*|enterr\w*|sepultur\w*", r"похорон\w*|погреб\w*"),
    (
        r"send|sends|sent|sending|forward\w*|address\w*",
        r"envoy\w*|envoi\w*|enverr\w*|renvoy\w*|adress\w*|expedi\w*",
        r"посла\w*|посыла\w*|пошл\w*|отправ\w*|пересла\w*|пересыл\w*|адрес\w*",
    ),
    (
        r"write|writes|wrote|written|writing|writer",
        r"es?cri[rstv]\w*",
        r"писа\w*|пиш\w*|написа\w*|напиш\w*|писан\w*",
    ),
    (
        r"sign|signs|signed|signing|signature\w*|undersigned",
        r"signe\w*|signa\w*|soussign\w*",
        r"подпис\w*|подпиш\w*",
    ),
    (r"receive\w*|receipt\w*", r"recu|recue|recus|recues|recev\w*|recoi\w*|receu\w*", r"получ\w*"),
    (
        r"pay|pays|paid|paying|payment\w*",
        r"paye\w*|payer|paya\w*|paie\w*|paiement\w*",
        r"плат\w*|заплат\w*|уплат\w*",
    ),
    (
        r"sell|sells|sold|sale|sales",
        r"vend(?:s|u|ue|us|ues|re|it|irent|ent|ons|ez|eurs?|euses?)?|ventes?",
        r"прода\w*",
    ),
    (
        r"buy|buys|bought|purchas\w*",
        r"achet\w*|achat\w*|acquis|acquise|acquises|acquisitions?|acquiert|acquerir|acquere\w*",
        r"купи\w*|покуп\w*|купл\w*",
    ),
    (
        r"teach|teaches|taught|teaching|lessons?",
        r"enseign\w*|instrui\w*|lecons?",
        r"учил\w*|обуча\w*|препода\w*|урок\w*",
    ),
    (  # who made something: created, founded, composed, painted, built, directed
        r"creat\w*|made|make|makes|invent\w*|founded|founder\w*",
        r"cree?e?s?|crea|creerent|createurs?|creatrices?|creation|invent\w*|fond(?:a|ai|e|ee|es|ees|erent|ateurs?)",
        r"созда\w*|сотвори\w*|изобре\w*|основа[лвт]\w*",
    ),
    (r"compos\w*", r"compos(?:e|ee|es|ees|a|erent|iteurs?|itrices?|ition)", r"сочини\w*|сочиня\w*|композитор\w*"),
    (r"paint|paints|painted|painting\w*", r"peint|peinte|peints|peintes|peignit|peindre|peintures?", r"нарисова\w*"),
    (
        r"build|builds|built|construct\w*",
        r"bati|batie|batis|baties|batit|construi\w*|edifi\w*",
        r"построи\w*|постро[ие]\w*|воздвиг\w*",
    ),
    (
        r"direct|directs|directed|director\w*",
        r"reali[sz]\w*|realisateurs?|realisatrices?",
        r"режисс\w*|снял|сняла|сняли",
    ),
    (
        r"borrow\w*|loans?|lend|lends|lent|lending|debts?|debtors?",
        r"emprunt\w*|prest\w*|pret|prets|preta\w*|dettes?|debiteurs?",
        r"заня\w*|займ\w*|заем\w*|одолж\w*|долг\w*|должни\w*",
    ),
    (
        r"ill|sick|sickness|illness\w*|diseases?|unwell|ailing",
        r"malades?|maladies?|mal|incommod\w*|indispos\w*|infirm\w*|souffrant\w*",
        r"бол[еь]\w*|болен|больн\w*|хвора\w*|хвор\w*|недуг\w*|нездоров\w*",
    ),
    (
        r"recover\w*|convalesc\w*|heal\w*|cured?",
        r"convales\w*|retabli\w*|restabli\w*|gueri\w*",
        r"выздорав\w*|выздоров\w*|поправ\w*|излечи\w*|исцели\w*",
    ),
    (
        r"slander\w*|calumn\w*|defam\w*|libel\w*|accus\w*",
        r"calomni\w*|medis\w*|mesdis\w*|diffam\w*|accus\w*|denonc\w*",
        r"клевет\w*|оклевет\w*|оговор\w*|обвин\w*|донос\w*",
    ),
    (
        r"know|knows|knew|known|aware|informed",
        r"connai\w*|connoi\w*|connu\w*|sait|savent|savoit|savait|scait|scavent|scavoit|instruits?|informes?",
        r"знает|знают|знал\w*|знающ\w*|осведомл\w*|сведущ\w*",
    ),
    (
        r"elect\w*|chosen|choose|chose",
        r"elu|elue|elus|elues|election\w*|eli[rst]\w*|choisi\w*",
        r"избра\w*|избир\w*|выбра\w*|выбор\w*",
    ),
    (r"orders?|ordered|command\w*", r"ordres?|ordonn\w*|command\w*", r"приказ\w*|повел\w*|указ\w*"),
    (
        r"live|lived|lives|living|dwell\w*|dwelt|resid\w*",
        r"demeur\w*|habit(?:e|es|ent|ait|aient|ant|ants|ante|antes|ation|ations|er|ee|ees)|resid\w*|domicil\w*",
        r"жил|жила|жили|живет|живут|прожива\w*|жительств\w*",
    ),
]

_FIRST_ACT = next(i for i, (english, _f, _r) in enumerate(CONCEPTS) if english.startswith("bless"))


def names_a_person(word: str) -> bool:
    """A folded word for a kind of person (kin, clergy, rulers, trades: "priest", "cure", "жена"), not an act."""
    return any(i < _FIRST_ACT for i in concepts_of(word))


# English words of a concept that are common French words of another meaning ("son": his, "sent": smells, "pays":
# country, "sale": dirty): a question's word, never a page's.
FALSE_FRIENDS = {"son", "sons", "sent", "pays", "sale", "sales", "dies"}

_PATTERNS = [re.compile("|".join(f"(?:{p})" for p in languages)) for languages in CONCEPTS]


@lru_cache(maxsize=4096)
def concepts_of(word: str) -> tuple[int, ...]:
    """The concepts a folded word names, by index in `CONCEPTS` (none for most words)."""
    return tuple(i for i, pattern in enumerate(_PATTERNS) if pattern.fullmatch(word))


def same_meaning(term: str, words: set[str]) -> set[str]:
    """The words among `words` (folded) that name a concept the question's word `term` names: "tutor" finds
    "precepteur", "умер" finds "mourut", "wife" finds "epouse"; the empty set for a word of no concept."""
    concepts = set(concepts_of(term))
    if not concepts:
        return set()
    return {w for w in words if w not in FALSE_FRIENDS and concepts.intersection(concepts_of(w))}


def lexicon_translations(terms: list[str], line_words: list[list[str]]) -> dict[str, set[str]]:
    """Each question word of a concept with the lines' words of the same concept, in whatever language (the shape
    `quotes.word_translations` gives)."""
    vocabulary = {w for words in line_words for w in words}
    found = {}
    for term in terms:
        words = same_meaning(term, vocabulary)
        if words:
            found[term] = words
    return found


_WIFE, _HUSBAND = 0, 1  # the first two concepts


def other_spouse(term: str, words: set[str]) -> set[str]:
    """The words among `words` (folded) for the other spouse than the question's word names: "husband" finds
    "epouse" (the page says "Y son épouse" of the wife whose husband is asked for), "жена" finds "mari"; the empty
    set for a word of neither or of both ("spouse")."""
    concepts = {_WIFE, _HUSBAND}.intersection(concepts_of(term))
    if len(concepts) != 1:
        return set()
    other = _HUSBAND if _WIFE in concepts else _WIFE
    return {w for w in words if w not in FALSE_FRIENDS and other in concepts_of(w)}
