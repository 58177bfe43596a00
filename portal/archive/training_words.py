"""A training job's progress messages: English on the job (what the API and the logs say), in the reader's language
on the pages. Each message is one of MESSAGES filled in; `words` finds which and says it in the active language,
and `catalogue` gives training.js the same templates, so that the live messages of the Models panel are translated
by the same rule."""

from __future__ import annotations

import re
from functools import cache

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N

WAITING = N("waiting for a training worker")
GATHERING = N("gathering what to learn from")
SCORING_BASE_LINES = N("scoring %(model)s on the held-out lines (%(lines)s)")
SCORING_BASE_PAGES = N("scoring %(model)s on the held-out pages (%(pages)s)")
PREPARING_LINES = N("preparing the training lines")
PREPARING_PAGES = N("preparing the training pages")
EPOCH = N("epoch %(epoch)s: loss %(loss)s")
EPOCH_CER = N("epoch %(epoch)s: loss %(loss)s, CER %(cer)s")
BATCH = N("epoch %(epoch)s: batch %(batch)s of %(batches)s")
STEP_LOSS = N("step %(step)s: loss %(loss)s")
STEP_F1 = N("step %(step)s: line F1 %(f1)s")
SCORING_NEW_LINES = N("scoring the new model on the held-out lines")
SCORING_NEW_PAGES = N("scoring the new model on the held-out pages")
REGISTERING = N("registering the model")

# the longest first: "epoch 1: loss 0.5, CER 23.1" is EPOCH_CER, not EPOCH with the loss "0.5, CER 23.1"
MESSAGES = sorted(
    [
        WAITING,
        GATHERING,
        SCORING_BASE_LINES,
        SCORING_BASE_PAGES,
        PREPARING_LINES,
        PREPARING_PAGES,
        EPOCH,
        EPOCH_CER,
        BATCH,
        STEP_LOSS,
        STEP_F1,
        SCORING_NEW_LINES,
        SCORING_NEW_PAGES,
        REGISTERING,
    ],
    key=len,
    reverse=True,
)
_NAME = re.compile(r"%\\\((\w+)\\\)s")


def message(template: str, **values) -> str:
    """The job's message: `template` (one of MESSAGES) filled in, in English."""
    return template % values


@cache
def _pattern(template: str) -> re.Pattern:
    return re.compile("^" + _NAME.sub(lambda m: f"(?P<{m.group(1)}>.+?)", re.escape(template)) + "$", re.DOTALL)


def words(text: str) -> str:
    """A training job's message in the active language; one that is none of MESSAGES, as it is."""
    for template in MESSAGES:
        found = _pattern(template).match(text)
        if found:
            return gettext(template) % found.groupdict()
    return text


def catalogue() -> dict[str, str]:
    """{English template: the same in the active language} of every message, for training.js."""
    return {template: gettext(template) for template in MESSAGES}
