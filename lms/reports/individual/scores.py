"""What HR and coordinators may see of a person's quiz results: the one place that defines it.

Scores and behaviour stay with the learner. With ``LMS_HR_SEES_SCORES`` off (the default) no page or
export for anyone but the learner shows a score, an answer, a number of attempts, a time of day or a time
on task: others see only whether and on which day an obligation was completed.

With it on, the service agreement (Dienstvereinbarung) allows exactly :data:`AGREED_FIELDS` and nothing
else: for each course the person has an obligation for (a voluntary course never), the result in percent
of the passed attempt that completed the obligation's cycle. No failed attempts, no answers, no number of
attempts, no times. The employee page, the obligation list and its CSV/XLSX export show this one column;
the privacy notice (``/datenschutz``) states it from :data:`AGREED_FIELDS`; ``tests/access/
test_no_scores.py`` requests every page and export as every role and fails on anything more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class AgreedField:
    key: str
    #: the column header on the pages (the exports use :attr:`export_header`, always German)
    label: Any
    export_header: str
    #: what it is, in the words of the privacy notice
    description: Any


#: the fields of a person's quiz results HR and coordinators see when ``LMS_HR_SEES_SCORES`` is on
AGREED_FIELDS: tuple[AgreedField, ...] = (
    AgreedField("passed_score", _l("Ergebnis (bestanden)"), "Ergebnis bestanden (%)",
                _l("je Pflichtschulung das Ergebnis in Prozent des bestandenen Quizversuchs, mit dem sie "
                   "abgeschlossen wurde")),
)
#: the one agreed field
PASSED_SCORE = AGREED_FIELDS[0]


def sees_scores(config: Mapping[str, Any]) -> bool:
    """Whether HR and coordinators see :data:`AGREED_FIELDS` (``LMS_HR_SEES_SCORES``)."""
    return bool(config.get("LMS_HR_SEES_SCORES"))


def percent(value: int | None) -> str:
    return "–" if value is None else f"{value} %"
