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
