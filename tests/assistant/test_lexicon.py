"""A question's key word found on lines of another language through the lexicon of roles and events (tutor /
précepteur / наставник, die / mourut / умер): the answer's person or place is the one on the line that says it."""

import pytest

from assistant.backends.embeddings import load_embedder
from assistant.backends.facts import answer_from_facts, facts_of_passages
from assistant.backends.lexicon import lexicon_translations, same_meaning
from assistant.backends.quotes import Passage, answer, fold

CHATEAU = [
    "Monsieur le Baron était un des plus grands Seigneurs de la",
    "Westphalie, car son château avait une porte et des fenêtres.",
    "Madame la baronne qui pesait environ trois cent livres,",
    "faisait les honneurs de la maison avec dignité. Sa",
    "fille Cunégonde agée de 17 ans était haute, en couleur,",
    "fraiche, grasse, appétissante. Le fils du baron paraissait",
    "en tout digne de son père, le précepteur Pangloss était",
    "l'oracle de la maison, et le petit Candide écoutait ses",
    "leçons avec toute la bonne foi de son âge.",
]

LETTER = [
    "Sens le 5 avril 1867.",
    "Cher Monsieur",
    "je suis reconnaissant d'avoir bien voulu penser",
    "à moi pour votre nouvelle OEuvre. Elle",
    "est appelée à faire beaucoup de bien, ou",
    "plutôt à Continuer celui qu'elle avait déjà",
    "opéré, avec la Bénédiction de n. s. P. Pie IX.",
    "Vous marcherez dans vos convictions assuré",
    "que tous ceux qui vous connaissent vous aiment.",
]

CRUSADE = [
    "Cette lettre célèbre fut écrite à Mahomet II en 1464.",
    "Elle ne fit qu'irriter ce Sultan. Le Pape",
    "alors se disposa malgré son âge et ses",
    "infirmités à marcher contre le tyran à la tête",
    "d'une croisade ; mais dans les préparatifs du",
    "départ, Dieu permit qu'il mourut à Ancône.",
    "Voila tout, cher Monsieur Veuillot, ce que",
    "je puis vous dire de Rome et de Venise.",
]


def _passages(texts):
    return [Passage(key=str(i), text=t, number=i + 1, page_key="p") for i, t in enumerate(texts)]


def _facts_answer(question, texts, embedder=None):
    passages = _passages(texts)
    language = "ru" if any("\u0400" <= c <= "\u04ff" for c in question) else "en"
    return answer_from_facts(question, passages, facts_of_passages(passages, "fr"), language, embedder=embedder)


@pytest.fixture(scope="module")
def e5():
    return load_embedder("e5")


def test_a_word_finds_its_meaning_in_the_other_languages_old_spellings_included():
    words = {fold(w) for w in "précepteur Pangloss escrit Roy épouse mourut благословил жена".split()}
    assert same_meaning("tutor", words) == {"precepteur"}
    assert same_meaning("wrote", words) == {"escrit"}
    assert same_meaning("king", words) == {"roy"}
    assert same_meaning("wife", words) == {"epouse", "жена"}
    assert same_meaning(fold("умер"), words) == {"mourut"}
    assert same_meaning("bless", words) == {"благословил"}
    assert same_meaning("pangloss", words) == set()


BRIDGED = [  # (a question's word, words of a page that mean it)
    ("tutor", "précepteur gouverneur наставник учитель"),
    ("наставником", "précepteur"),
    ("wife", "épouse espouse femme veuve жена супруга"),
    ("husband", "mari époux муж"),
    ("son", "fils сын"),
    ("daughter", "fille дочь"),
    ("father", "père отец"),
    ("mother", "mère мать"),
    ("priest", "curé prêtre prestre священник"),
    ("notary", "notaire нотариус"),
    ("king", "roi Roy царь государь"),
    ("pope", "pape папа"),
    ("папа", "Pape"),
    ("bless", "bénir bénit Bénédiction благословить"),
    ("died", "mourir mourut décéder décédé умереть преставиться"),
    ("умер", "mort mourut décédé"),
    ("sent", "envoyer adresser послать отправил"),
    ("wrote", "écrire escrit écrivit писать написал"),
    ("signed", "signer signé soussigné подписать"),
    ("ill", "malade maladie incommodé болен"),
    ("convalescent", "convalesant rétabli выздоравливает"),
    ("borrowed", "emprunte emprunt занял"),
    ("slandered", "calomnies médisance оклеветал"),
    ("knows", "instruit sçait connoît знает"),
    ("elected", "élu election избран"),
    ("приказу", "ordre ordonné commandement"),
    ("clerk", "greffier commis clerc писарь"),
    ("relative", "parente cousin родственница"),
]


@pytest.mark.parametrize(("asked", "written"), BRIDGED)
def test_the_lexicon_bridges_a_question_word_to_its_meaning_in_french_and_russian(asked, written):
    words = {fold(w) for w in written.split()}
    assert same_meaning(fold(asked), words) == words


def test_a_word_folded_into_a_name_or_another_word_is_not_in_the_lexicon():
    assert same_meaning("married", {"marie", "ne"}) == set()  # "Marie" the name, "ne" the negation
    assert same_meaning("lived", {"habitude", "demeurant"}) == {"demeurant"}  # a habit is no dwelling
    assert same_meaning("sold", {"vendredi", "vendu"}) == {"vendu"}  # nor Friday a sale
    assert same_meaning(fold("сыном"), {"son", "fils"}) == {"fils"}  # "son nom": his name
    assert same_meaning("sent", {"sent", "envoye"}) == {"envoye"}  # "il sent": he smells
    assert lexicon_translations(["castle"], [["chateau"]]) == {}


def test_who_was_the_tutor_answers_the_precepteur():
    reply = _facts_answer("Who was the tutor?", CHATEAU)
    assert reply.known and reply.text.startswith("Pangloss")
    assert reply.hits[0].passage.key == "6"


def test_who_was_the_tutor_answers_the_precepteur_with_the_embedder(e5):
    reply = _facts_answer("Who was the tutor?", CHATEAU, e5)
    assert reply.known and reply.text.startswith("Pangloss")


def test_who_blessed_answers_the_name_beside_benediction(e5):
    reply = _facts_answer("Who blessed the new work?", LETTER, e5)
    assert reply.known and "Pie IX" in reply.text and reply.hits[0].passage.key == "6"


def test_a_russian_question_where_did_the_pope_die_finds_mourut(e5):
    reply = _facts_answer("Где умер Папа?", CRUSADE, e5)
    assert reply.known and reply.text.startswith("Ancône") and reply.hits[0].passage.key == "5"


def test_the_line_reader_quotes_the_line_the_lexicon_reaches(e5):
    reply = answer("Кто был наставником?", _passages(CHATEAU), embedder=e5)
    assert reply.known and reply.hits[0].passage.key == "6"


def test_where_should_it_be_sent_answers_the_place_beside_adresser_not_the_one_beside_the_topic(e5):
    texts = [
        "J'ai reçu de Rome une correspondance fort bien faite",
        "que je vous prie d'adresser à Lyon, chez mon frère,",
        "car je quitte Paris demain matin.",
    ]
    for embedder in (None, e5):
        reply = _facts_answer("Where should the correspondence be sent?", texts, embedder)
        assert reply.known and reply.text.startswith("Lyon") and reply.hits[0].passage.key == "1"


def test_who_was_the_wife_of_someone_answers_the_epouse_beside_him_not_the_wife_of_another(e5):
    texts = [
        "Furent présents Pierre Martin, marchand, et",
        "dame Anne Leclerc épouse dud. sieur Martin,",
        "Jean Dupont laboureur, a cause de dame",
        "Marie Durand son épouse, demeurant à Caen,",
        "lesquels ont vendu une maison sise à Lisieux.",
    ]
    reply = _facts_answer("Who was the wife of Jean Dupont?", texts, e5)
    assert reply.known and reply.text.startswith("Marie Durand") and reply.hits[0].passage.key == "3"


def test_who_saw_the_doctors_prescription_is_not_asked_for_the_doctor(e5):
    texts = ["Fagon a veu l'ordonnance du medecin", "de M Denis il la trouve tres sensée", "et vous assure."]
    reply = _facts_answer("Who saw the doctor's prescription?", texts, e5)
    assert reply.known and reply.text.startswith("Fagon")


def test_a_russian_question_names_a_french_person_whose_widow_is_asked_for(e5):
    texts = [
        "Furent présents dame Madelaine Lambert veuve de",
        "Jean Baptiste Lully, et dame Anne Martin,",
        "veuve de Pierre Durand, demeurant à Paris,",
        "lesquels ont reconnu avoir vendu une maison.",
    ]
    reply = _facts_answer("Кто была вдовой Люлли?", texts, e5)
    assert reply.known and reply.text.startswith("Madelaine Lambert") and reply.hits[0].passage.key == "0"


POLICE_REPORT = [  # Archives de la Bastille, gazetins of 1726 (cremma-mss-18, training pages)
    "Le 9. mars 1726",
    "Le fils de feu m. Paignon rue des",
    "deux boulles",
    "Il emprunte 40 mile livres, pour payer",
    "une charge de Threzorier de france,",
    "et sur cet emprunt a bonnes et",
    "suffizantes hypotheques, il est forcé",
    "de donner 10 mile livres D'Intherest",
]
CONVALESCENT = [
    "jaÿ esté a lextremité dun accidans",
    "que le femme ne peuve pas",
    "heviter donc M^r charpantier",
    "et M^r duval peuve vous rend",
    "Compte que je suis encore",
    "convalesant jaÿ sependans",
    "eu lhonneur Monseigneur",
]
HEARSAY = [
    "q'a lordinaire il parloit a plusieurs personnes qui le luy",
    "Reppondirent Rien et la Conversation finit toute a se suiet",
    "tout le monde plaint beaucoup m.^r le lecteur de baviere que",
    "lon dit etre tres mal. on se plain beaucoup dans le publique",
]


@pytest.mark.parametrize(
    ("question", "texts", "start"),
    [
        ("Who borrowed 40,000 livres?", POLICE_REPORT, "Paignon"),  # the subject two lines before the act
        ("Who can tell that the writer is still convalescent?", CONVALESCENT, "duval"),
        ("Кто может подтвердить, что автор ещё выздоравливает?", CONVALESCENT, "duval"),  # the lexicon, not the search
        ("Who is said to be very ill?", HEARSAY, "le lecteur de baviere"),
        ("Кто, говорят, тяжело болен?", HEARSAY, "le lecteur de baviere"),
    ],
)
def test_who_did_what_a_report_tells_finds_the_person_the_sentence_is_about(e5, question, texts, start):
    reply = _facts_answer(question, texts, e5)
    assert reply is not None and reply.known and reply.text.startswith(start), reply


RELEASE = [
    "Le Cardinal de Noailles si tost que je fus arrivé",
    "mise au fort l'Eveque, d'ou je sortois cinq",
    "jours aprés, par ordre de feu Monseigneur",
    "Le duc d'orleans, apres luÿ avoir fait voir",
]
REPORT = [
    "Passart",
    "A Paris le 10. jan.^er 1726",
    "Le Pere Maignan a êté elu a la",
    "chaire de professeur de Theologie",
    "Vacante depuis quelque tems dans les",
    "ecoles de S.^t Thomas chez les dominiquains",
]
CHARITY = [
    "Le 10. mars 1726",
    "on dit que M̃. le Curé de s.^t nicolas des Champs",
    "donne tous les jours de grosses sommes aux pauvres",
]


@pytest.mark.parametrize(
    ("question", "texts", "start"),
    [
        ("По чьему приказу автора выпустили из тюрьмы?", RELEASE, "orleans"),  # "ordre de X": X gave it
        ("Who was elected to the chair of theology?", REPORT, "Pere Maignan"),
        ("Where was this written?", REPORT, "Paris"),  # not "Passart A Paris", a name over two lines
        ("Которого священника хвалят за щедрость к бедным?", CHARITY, "le Curé de s.^t nicolas"),
        ("Which priest gives large sums to the poor?", CHARITY, "le Curé de s.^t nicolas"),
    ],
)
def test_a_report_s_doers_offices_and_dateline_are_found(e5, question, texts, start):
    reply = _facts_answer(question, texts, e5)
    assert reply is not None and reply.known and reply.text.startswith(start), reply


ANNOUNCED = [
    "de ne plus payer sa pension ou pretend même que le P.^ce",
    "de Robec a recu une lettre qui annonce cette facheuse",
    "nouvelle",
    "on avoit publié que M. de frejus avoit representé",
]


def test_someone_named_after_a_reported_act_is_not_its_doer(e5):
    reply = _facts_answer("Who received a letter announcing the bad news?", ANNOUNCED, e5)
    assert reply is not None and reply.known and reply.hits[0].passage.key in ("0", "1"), reply
    assert "frejus" not in reply.text


HEARING = [
    "L'an mil huit Cent soixante-onze, le",
    "neuf décembre, à onze heures du matin,",
    "Devant Nous Briot, substitut du",
    "Rapporteur près ledit Conseil, assisté du",
    "s^r Delplanque, Commis-Greffier, en la",
    "& a signé avec  nous & le Commis-greffier",
]
PAYMENT = [
    "Le S.^r Jean-Baptiste Tourteau de Septeuil, payez comptant",
    "à la Supérieure des Carmelites la Somme de Douze",
    "mille livres, pour partie du Comptant de feue ma Tante Louise dont",
]


@pytest.mark.parametrize(
    ("question", "texts", "start"),
    [
        ("Who was the substitute of the rapporteur?", HEARING, "Briot"),  # "Devant Nous Briot": who speaks the act
        ("Who was the clerk assisting at this hearing?", HEARING, "Delplanque"),  # not "Commis-greffier", a role
        ("Who is ordered to pay the twelve thousand livres?", PAYMENT, "Jean-Baptiste Tourteau de Septeuil"),
    ],
)
def test_an_act_s_officials_and_the_one_ordered_to_pay_are_found(e5, question, texts, start):
    reply = _facts_answer(question, texts, e5)
    assert reply is not None and reply.known and reply.text.startswith(start), reply


def test_a_whose_question_answers_the_name_after_the_role_word(e5):
    texts = [
        "D. _ Vous a-t-on vue au club ?",
        "R. _ Non.",
        "D. _ N'êtes-vous pas parente de Victor Noir ?",
        "R. _ Non.",
    ]
    for question in ("Чьей родственницей её считали?", "Whose relative was she said to be?"):
        reply = _facts_answer(question, texts, e5)
        assert reply is not None and reply.known and reply.text.startswith("Victor Noir"), reply
