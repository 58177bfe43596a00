from assistant.backends.quotes import find_date, fold, is_when_question, keywords


def test_it_folds_pre_reform_russian_to_modern_spelling():
    assert fold("Пріѣхалъ въ Парижъ") == fold("Приехал в Париж") == "приехал в париж"
    assert fold("Ѳеодоръ и мѵро") == "феодор и миро"


def test_it_folds_old_french_letters_and_accents():
    assert fold("Sœur ſoit à Paris, élève") == "soeur soit a paris eleve"


def test_it_finds_full_dates_before_bare_years():
    assert find_date("ce 30 mars 1778.") == ("30 mars 1778", 1.0)
    assert find_date("писано 3 мая 1812 года")[1] == 1.0
    assert find_date("le 1er 7bre 1767")[0] == "1er 7bre 1767"
    assert find_date("incendie de 1630.")[1] < find_date("ce 13 octobre.")[1] < 1.0
    assert find_date("la maison est belle") is None


def test_it_tells_when_questions_in_three_languages():
    assert is_when_question("When was this written?")
    assert is_when_question("Когда это написано?")
    assert is_when_question("Quand fut-elle écrite ?")
    assert not is_when_question("Where is Paris mentioned?")


def test_it_keeps_only_the_words_worth_looking_for():
    assert keywords("Where is Paris mentioned?") == ["paris"]
    assert keywords("Что он просит купить?") == ["купить"]
