import numpy as np
import pytest

from htr.recognition.decoding import beam_decode, greedy_decode


def _log_probs(frames: list[dict[int, float]], classes: int = 5) -> np.ndarray:
    """Per-frame distributions given as {class: probability}, the rest spread evenly."""
    out = np.zeros((len(frames), classes))
    for t, frame in enumerate(frames):
        rest = (1.0 - sum(frame.values())) / (classes - len(frame))
        out[t] = rest
        for c, p in frame.items():
            out[t, c] = p
    return np.log(out)


def test_greedy_merges_repeats_and_drops_blanks():
    lp = _log_probs([{1: 0.9}, {1: 0.8}, {0: 0.9}, {2: 0.7}, {0: 0.9}, {2: 0.95}])
    labels, confidences = greedy_decode(lp)
    assert labels == [1, 2, 2]
    assert confidences == pytest.approx([0.9, 0.7, 0.95])


def test_greedy_and_beam_agree_on_a_clear_input():
    lp = _log_probs([{0: 0.9}, {3: 0.9}, {3: 0.85}, {0: 0.9}, {1: 0.92}, {0: 0.9}, {1: 0.9}, {4: 0.9}])
    greedy = greedy_decode(lp)
    beam = beam_decode(lp, beam=8)
    assert beam[0] == greedy[0] == [3, 1, 1, 4]
    assert beam[1] == pytest.approx(greedy[1])


def test_beam_finds_the_sequence_that_best_path_misses():
    # Best path reads blank-blank (empty), but "1" over the two frames is more likely in total:
    # p(empty) = 0.4 * 0.4 = 0.16 while p("1") = 0.35*0.35 + 0.35*0.4 + 0.4*0.35 = 0.4025.
    lp = _log_probs([{0: 0.4, 1: 0.35}, {0: 0.4, 1: 0.35}], classes=3)
    assert greedy_decode(lp)[0] == []
    labels, confidences = beam_decode(lp, beam=4)
    assert labels == [1]
    assert len(confidences) == 1 and 0 < confidences[0] <= 1


def test_decoders_return_nothing_for_no_frames():
    empty = np.zeros((0, 4))
    assert greedy_decode(empty) == ([], [])
    assert beam_decode(empty, beam=4) == ([], [])


def test_the_language_model_gives_seen_sequences_more_and_every_character_something():
    from htr.recognition.language import CharLanguageModel

    lm = CharLanguageModel(["le roi le veut", "le roi est"], charset="elorituvs ", order=3)
    assert lm.lines == 2
    assert lm.log_prob("e", "l") > lm.log_prob("o", "l")  # "le" was seen, "lo" was not
    assert lm.log_prob("z", "l") > float("-inf")  # not even in the charset: still a probability
    total = sum(np.exp(lm.log_prob(c, "le r")) for c in "elorituvs ")
    assert 0.9 < total <= 1.0  # a distribution over the charset (the rest for unknown characters)
    assert lm.perplexity(["le roi"]) < lm.perplexity(["vsu tor"])
    with pytest.raises(ValueError, match="order must be at least 1"):
        CharLanguageModel([], "a", order=0)


def test_the_language_model_tips_the_beam_towards_a_known_spelling():
    from htr.recognition.language import CharLanguageModel

    chars = ["l", "e", "a"]  # classes 1, 2, 3
    # The network hesitates between "le" and "la" and leans towards "la" on the second letter.
    lp = _log_probs([{1: 0.9}, {0: 0.9}, {3: 0.5, 2: 0.45}, {0: 0.9}], classes=4)
    assert beam_decode(lp, beam=8)[0] == [1, 3]
    lm = CharLanguageModel(["le", "le le le", "le"], charset=chars, order=2)
    labels, confidences = beam_decode(lp, beam=8, lm=lm, chars=chars, lm_weight=1.0, lm_bonus=0.0)
    assert labels == [1, 2]
    assert confidences[1] == pytest.approx(0.45)  # confidences stay the network's


def test_a_word_the_texts_lack_costs_more_where_it_ends():
    from htr.recognition.language import CharLanguageModel

    lm = CharLanguageModel(["le Roy dort", "la reyne ẽ ville"], charset="leRoydrtanyẽvi ", order=3, unknown_word=-4.0)
    assert lm.words == {"le", "roy", "dort", "la", "reyne", "ẽ", "ville"}
    plain = CharLanguageModel(["le Roy dort", "la reyne ẽ ville"], charset="leRoydrtanyẽvi ", order=3)
    # A space after a word it knows (whatever its case) costs what the characters alone say...
    assert lm.log_prob(" ", "le ROY") == plain.log_prob(" ", "le ROY")
    # ...after a made-up one, the cost more; inside a word, or after no word at all, nothing changes.
    assert lm.log_prob(" ", "le Rot") == pytest.approx(plain.log_prob(" ", "le Rot") - 4.0)
    assert lm.log_prob(",", "la reine") == pytest.approx(plain.log_prob(",", "la reine") - 4.0)
    assert lm.log_prob("t", "le Ro") == plain.log_prob("t", "le Ro")
    assert lm.log_prob(" ", "le ") == plain.log_prob(" ", "le ")


def test_the_cost_of_unknown_words_tips_the_beam_towards_a_known_word():
    from htr.recognition.language import CharLanguageModel

    chars = ["r", "o", "y", "t", " "]  # classes 1..5
    # "roy " or "rot ": the network leans towards "rot" (a word nobody wrote).
    lp = _log_probs([{1: 0.9}, {0: 0.9}, {2: 0.9}, {0: 0.9}, {4: 0.5, 3: 0.45}, {0: 0.9}, {5: 0.9}], classes=6)
    texts = ["roy", "tttt tt"]  # the letters alone favour "t" too
    without = CharLanguageModel(texts, charset=chars, order=1)
    assert beam_decode(lp, beam=8, lm=without, chars=chars, lm_weight=0.1, lm_bonus=0.0)[0] == [1, 2, 4, 5]
    lm = CharLanguageModel(texts, charset=chars, order=1, unknown_word=-5.0)
    assert beam_decode(lp, beam=8, lm=lm, chars=chars, lm_weight=0.1, lm_bonus=0.0)[0] == [1, 2, 3, 5]
