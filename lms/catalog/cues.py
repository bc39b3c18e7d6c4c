"""Test-wiseness cues in a question pool: figures, item warnings and pool errors.

A learner who does not know the answer can still score by patterns that give the answer away: the
correct option is the longest, or it stands first, distractors are the ones with "immer" or "nie", a
true/false statement is mostly true. This module measures those cues on the parsed quiz files
(:class:`lms.catalog.loader.CourseSource`) and reports them: per item as warnings, per pool as errors
past the agreed thresholds, plus near-duplicate stems within and across courses.

Pure: takes parsed files, never reads the database. Rules and reasons: ``docs/course-format.md``
("Test-wiseness cues"). The definitions are shared with the authors of the quiz pools: change them only
together with that document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _

from lms.catalog.loader import CourseSource, Problem, QuestionSource

# --- Thresholds (the shared definitions) ------------------------------------------------------------

#: pool error above this share of single items whose correct option is the longest (ties count)
MAX_LONGEST_SHARE = 0.30
#: pool error outside these bounds of mean correct length / mean distractor length (single items)
LENGTH_RATIO_RANGE = (0.8, 1.25)
#: item warning when the correct option is more than this times the mean of its own distractors
ITEM_LENGTH_RATIO = 1.5
#: pool error above this share of single/multiple items whose correct option(s) come first in the file
MAX_FIRST_SHARE = 0.40
#: pool error when the share of distractors with an absolute word exceeds the share of correct options
#: with one by more than this
MAX_ABSOLUTE_GAP = 0.15
#: the share of true_false items whose answer is "true" must lie within these bounds
TRUE_SHARE_RANGE = (0.40, 0.60)
#: the true/false balance is an error only from this many true_false items on (a warning below)
MIN_TRUE_FALSE_FOR_ERROR = 5
#: near-duplicate stems: error from this Jaccard similarity on, warning from WARN on
DUPLICATE_ERROR = 0.6
DUPLICATE_WARNING = 0.45
#: the pool must hold at least this many times the number of questions drawn per attempt
MIN_POOL_FACTOR = 2

#: words that make a statement absolute; test-wise learners rule out options that contain them
ABSOLUTE_WORDS = ("immer", "nie", "niemals", "nur", "ausschließlich", "automatisch", "grundsätzlich", "alle",
                  "keine", "jede", "jeder", "jedes", "stets", "garantiert", "vollständig")
_ABSOLUTE = re.compile(r"(?<!\w)(" + "|".join(ABSOLUTE_WORDS) + r")(?!\w)", re.IGNORECASE)

#: German function words left out of stem comparisons (they say nothing about the content)
STOP_WORDS = frozenset("""
    der die das den dem des ein eine einer eines einem einen kein keine keiner keines keinem keinen
    und oder aber sondern denn doch als wie wenn ob dass weil da damit so auch noch schon nur nicht
    ist sind war waren wird werden wurde wurden sein seine seiner seinen seinem hat haben hatte hätte
    kann können darf dürfen muss müssen soll sollen sollte will wollen würde würden
    in im ins an am auf aus bei beim mit nach von vom vor zu zum zur für über unter um durch gegen
    ohne bis seit zwischen
    es er sie ich wir ihr man sich sie ihm ihn ihnen ihre ihrem ihren ihrer ihres uns euch mir mich dir dich
    was wer wen wem welche welcher welches welchen welchem wo wie warum wann womit wozu
    dies diese dieser dieses diesem diesen jene hier dort dann
    """.split())
_WORD = re.compile(r"\w+")


def _text(value: str | None) -> str:
    return (value or "").strip()


def _number(value: float, digits: int = 2) -> str:
    """German decimal: 0,45."""
    return f"{value:.{digits}f}".replace(".", ",")


def _percent(share: float) -> str:
    return f"{round(share * 100)} %"


# --- Items ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemCues:
    """The cues of one well-formed single or multiple item (texts stripped, lengths in characters)."""

    key: str
    type: str
    correct: tuple[str, ...]
    distractors: tuple[str, ...]
    #: all correct options come before every distractor in the file
    correct_first: bool

    @property
    def correct_is_longest(self) -> bool:
        """Single items: the correct option is at least as long as every distractor (a tie counts)."""
        return len(self.correct[0]) >= max(len(d) for d in self.distractors)

    @property
    def own_length_ratio(self) -> float:
        """Single items: the correct option's length / the mean length of its distractors."""
        mean = sum(len(d) for d in self.distractors) / len(self.distractors)
        return len(self.correct[0]) / mean if mean else float("inf")

    @property
    def absolute_only_in_distractors(self) -> list[str]:
        """The absolute words of the distractors, when no correct option has one (else empty)."""
        if any(absolute_words(c) for c in self.correct):
            return []
        words = [w for d in self.distractors for w in absolute_words(d)]
        return list(dict.fromkeys(words))


def absolute_words(text: str) -> list[str]:
    """The absolute words in ``text`` (whole words, case-insensitive), lower case, in order."""
    return [m.group(1).lower() for m in _ABSOLUTE.finditer(text)]


def item_cues(question: QuestionSource) -> ItemCues | None:
    """The cues of a single/multiple item; None for true_false and for items lint rejects anyway
    (missing options, empty texts, wrong number of correct options)."""
    if question.type not in ("single", "multiple") or not question.options or question.key is None:
        return None
    texts = [_text(o.text) for o in question.options]
    if not all(texts):
        return None
    correct = tuple(t for t, o in zip(texts, question.options, strict=True) if o.is_correct)
    distractors = tuple(t for t, o in zip(texts, question.options, strict=True) if not o.is_correct)
    if not correct or not distractors or (question.type == "single" and len(correct) != 1):
        return None
    flags = [o.is_correct for o in question.options]
    first = all(flags[: len(correct)])
    return ItemCues(question.key, question.type, correct, distractors, first)


def item_warnings(question: QuestionSource) -> list[Problem]:
    """Warnings about one item: the correct option is the longest or much longer than its distractors;
    absolute words only in distractors."""
    cues = item_cues(question)
    if cues is None:
        return []
    line = question.lines.get("options", question.line)
    warnings = []
    if cues.type == "single":
        if cues.correct_is_longest:
            warnings.append(Problem(question.file, line, _(
                "Frage %(id)s: Die richtige Option ist die längste (oder so lang wie die längste "
                "Ablenkung); wer rät, wählt die längste", id=cues.key)))
        ratio = cues.own_length_ratio
        if ratio > ITEM_LENGTH_RATIO:
            warnings.append(Problem(question.file, line, _(
                "Frage %(id)s: Die richtige Option ist %(ratio)s-mal so lang wie ihre Ablenkungen im Mittel "
                "(mehr als %(limit)s)", id=cues.key, ratio=_number(ratio, 1), limit=_number(ITEM_LENGTH_RATIO, 1))))
    words = cues.absolute_only_in_distractors
    if words:
        warnings.append(Problem(question.file, line, _(
            "Frage %(id)s: Absolute Wörter (%(words)s) stehen nur in falschen Optionen; wer rät, streicht "
            "solche Optionen", id=cues.key, words=", ".join(f"„{w}“" for w in words))))
    return warnings


# --- Pools ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolFigures:
    """The cue figures of one course's pool (counts; the shares are properties)."""

    slug: str
    file: str
    questions: int
    draw: int | None
    single: int
    longest_correct: int
    correct_length_sum: int
    correct_count: int
    distractor_length_sum: int
    distractor_count: int
    #: single + multiple items, and those whose correct option(s) come first
    choice: int
    first_position: int
    #: options of single + multiple items: correct ones and distractors, each with an absolute word
    correct_options: int
    correct_absolute: int
    distractor_options: int
    distractor_absolute: int
    true_false: int
    true_answers: int

    @property
    def longest_share(self) -> float | None:
        return self.longest_correct / self.single if self.single else None

    @property
    def length_ratio(self) -> float | None:
        if not self.correct_count or not self.distractor_length_sum:
            return None
        return (self.correct_length_sum / self.correct_count) / (self.distractor_length_sum / self.distractor_count)

    @property
    def first_share(self) -> float | None:
        return self.first_position / self.choice if self.choice else None

    @property
    def absolute_correct_share(self) -> float | None:
        return self.correct_absolute / self.correct_options if self.correct_options else None

    @property
    def absolute_distractor_share(self) -> float | None:
        return self.distractor_absolute / self.distractor_options if self.distractor_options else None

    @property
    def absolute_gap(self) -> float | None:
        """Share of distractors with an absolute word minus share of correct options with one."""
        if self.absolute_correct_share is None or self.absolute_distractor_share is None:
            return None
        return self.absolute_distractor_share - self.absolute_correct_share

    @property
    def true_share(self) -> float | None:
        return self.true_answers / self.true_false if self.true_false else None


def pool_figures(course: CourseSource) -> PoolFigures:
    items = [c for c in (item_cues(q) for q in course.questions) if c is not None]
    single = [c for c in items if c.type == "single"]
    true_false = [q for q in course.questions if q.type == "true_false" and q.correct is not None]
    return PoolFigures(
        slug=course.slug, file=course.quiz_file or f"{course.slug}/quiz.yml", questions=len(course.questions),
        draw=course.questions_per_attempt, single=len(single),
        longest_correct=sum(1 for c in single if c.correct_is_longest),
        correct_length_sum=sum(len(c.correct[0]) for c in single), correct_count=len(single),
        distractor_length_sum=sum(len(d) for c in single for d in c.distractors),
        distractor_count=sum(len(c.distractors) for c in single),
        choice=len(items), first_position=sum(1 for c in items if c.correct_first),
        correct_options=sum(len(c.correct) for c in items),
        correct_absolute=sum(1 for c in items for t in c.correct if absolute_words(t)),
        distractor_options=sum(len(c.distractors) for c in items),
        distractor_absolute=sum(1 for c in items for t in c.distractors if absolute_words(t)),
        true_false=len(true_false), true_answers=sum(1 for q in true_false if q.correct),
    )


def pool_problems(figures: PoolFigures) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of one pool against the thresholds."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    file = figures.file
    if figures.longest_share is not None and figures.longest_share > MAX_LONGEST_SHARE:
        errors.append(Problem(file, None, _(
            "Fragenpool: Bei %(share)s der single-Fragen (%(n)d von %(total)d) ist die richtige Option die "
            "längste; erlaubt sind höchstens %(limit)s", share=_percent(figures.longest_share),
            n=figures.longest_correct, total=figures.single, limit=_percent(MAX_LONGEST_SHARE))))
    ratio = figures.length_ratio
    low, high = LENGTH_RATIO_RANGE
    if ratio is not None and not low <= ratio <= high:
        errors.append(Problem(file, None, _(
            "Fragenpool: Richtige Optionen sind im Mittel %(ratio)s-mal so lang wie Ablenkungen; erlaubt ist "
            "%(low)s bis %(high)s", ratio=_number(ratio), low=_number(low), high=_number(high))))
    if figures.first_share is not None and figures.first_share > MAX_FIRST_SHARE:
        errors.append(Problem(file, None, _(
            "Fragenpool: Bei %(share)s der Auswahlfragen (%(n)d von %(total)d) steht die richtige Option "
            "in der Datei zuerst; erlaubt sind höchstens %(limit)s", share=_percent(figures.first_share),
            n=figures.first_position, total=figures.choice, limit=_percent(MAX_FIRST_SHARE))))
    gap = figures.absolute_gap
    if gap is not None and gap > MAX_ABSOLUTE_GAP:
        errors.append(Problem(file, None, _(
            "Fragenpool: %(distractors)s der Ablenkungen, aber nur %(correct)s der richtigen Optionen enthalten "
            "absolute Wörter (immer, nie, nur …); der Unterschied darf höchstens %(limit)s Prozentpunkte "
            "betragen", distractors=_percent(figures.absolute_distractor_share or 0.0),
            correct=_percent(figures.absolute_correct_share or 0.0), limit=round(MAX_ABSOLUTE_GAP * 100))))
    share = figures.true_share
    low, high = TRUE_SHARE_RANGE
    if share is not None and not low <= share <= high:
        problem = Problem(file, None, _(
            "Fragenpool: %(n)d von %(total)d Wahr/Falsch-Fragen sind wahr (%(share)s); ausgewogen ist "
            "%(low)s bis %(high)s", n=figures.true_answers, total=figures.true_false, share=_percent(share),
            low=_percent(low), high=_percent(high)))
        (errors if figures.true_false >= MIN_TRUE_FALSE_FOR_ERROR else warnings).append(problem)
    if figures.draw is not None and figures.questions < MIN_POOL_FACTOR * figures.draw:
        errors.append(Problem(file, None, _(
            "Fragenpool: %(pool)d Fragen bei %(draw)d je Versuch; der Pool muss mindestens doppelt so groß "
            "sein, damit Wiederholungen nicht dieselben Fragen zeigen", pool=figures.questions, draw=figures.draw)))
    return errors, warnings


# --- Near-duplicate stems ---------------------------------------------------------------------------


def stem_tokens(prompt: str | None) -> frozenset[str]:
    """The normalised stem: lower case, punctuation removed, stop words removed, as a set of words."""
    return frozenset(w for w in _WORD.findall((prompt or "").casefold()) if w not in STOP_WORDS and w != "_")


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def near_duplicates(courses: Sequence[CourseSource]) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) for pairs of stems at least DUPLICATE_WARNING similar, within a course and
    across courses. Each pair is reported once, on the later question (course by course, file order)."""
    stems = [(course, q, stem_tokens(q.prompt)) for course in courses for q in course.questions if q.prompt]
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for j, (course, question, tokens) in enumerate(stems):
        for other_course, other, other_tokens in stems[:j]:
            similarity = jaccard(tokens, other_tokens)
            if similarity < DUPLICATE_WARNING:
                continue
            where = other.key if other_course is course else f"{other.key} ({other.file})"
            problem = Problem(question.file, question.lines.get("prompt", question.line), _(
                "Frage %(id)s: Der Fragestamm ist fast gleich wie bei Frage %(other)s (Ähnlichkeit %(sim)s; "
                "ab %(limit)s ein Fehler); wer beide sieht, erhält die Lösung doppelt oder verwechselt sie",
                id=question.key or "?", other=where, sim=_number(similarity), limit=_number(DUPLICATE_ERROR)))
            (errors if similarity >= DUPLICATE_ERROR else warnings).append(problem)
    return errors, warnings


# --- All of it --------------------------------------------------------------------------------------


@dataclass
class CueReport:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    figures: list[PoolFigures] = field(default_factory=list)


def check_cues(courses: Iterable[CourseSource]) -> CueReport:
    """Item warnings, pool errors (and the true/false warning for small pools) and near-duplicate stems
    of all ``courses``, sorted by file and line."""
    courses = [c for c in courses if c.quiz_loaded]
    report = CueReport()
    for course in courses:
        for question in course.questions:
            report.warnings += item_warnings(question)
        figures = pool_figures(course)
        report.figures.append(figures)
        errors, warnings = pool_problems(figures)
        report.errors += errors
        report.warnings += warnings
    errors, warnings = near_duplicates(courses)
    report.errors += errors
    report.warnings += warnings

    def order(p: Problem) -> tuple[str, int, str]:
        return (p.file, p.line or 0, p.message)

    report.errors.sort(key=order)
    report.warnings.sort(key=order)
    return report
