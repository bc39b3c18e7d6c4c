"""Test-wiseness cues (lms.catalog.cues): every rule fires on a small synthetic pool and stays quiet on
one without the cue. Pure: parsed objects, no files, no app."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.catalog import cues
from lms.catalog.loader import CourseSource, OptionSource, QuestionSource

QUIZ = "kurs/quiz.yml"


def question(key: str, type_: str, options: list[tuple[str, bool]] | None = None, *, correct: bool | None = None,
             prompt: str | None = None, line: int = 1) -> QuestionSource:
    opts = None if options is None else [OptionSource(t, c, line + 4 + i) for i, (t, c) in enumerate(options)]
    if type_ == "true_false":
        opts = []
    return QuestionSource(key=key, type=type_, area="grundlagen", prompt=prompt or f"Frage {key}?",
                          explanation="Weil.", source="Modul 1", options=opts, correct=correct, file=QUIZ,
                          line=line, lines={"options": line + 4, "prompt": line + 3})


def single(key: str, right: str, *wrong: str, at: int = 1, prompt: str | None = None) -> QuestionSource:
    """A single item with the correct option at position ``at`` (0-based)."""
    options = [(w, False) for w in wrong]
    options.insert(at, (right, True))
    return question(key, "single", options, prompt=prompt)


def course(*questions: QuestionSource, draw: int | None = 1, slug: str = "kurs") -> CourseSource:
    return CourseSource(slug=slug, path=Path(slug), file=f"{slug}/course.yml", questions_per_attempt=draw,
                        questions=list(questions), quiz_file=f"{slug}/quiz.yml", quiz_loaded=True)


def messages(problems) -> list[str]:
    return [p.message for p in problems]


def balanced(n: int = 4) -> list[QuestionSource]:
    """``n`` single items without any cue: the correct option is short, in the middle, no absolute word."""
    return [single(f"b-{i}", "Mittel lang", "Etwas länger", "Kürzer", at=1, prompt=f"Thema{i} Aspekt{i}")
            for i in range(n)]


# --- items ------------------------------------------------------------------------------------------


def test_longest_correct_option_warns_a_tie_counts() -> None:
    (longest,) = cues.item_warnings(single("q", "Die ausführliche Antwort", "Kurz", "Auch kurz"))[:1]
    assert "Frage q: Die richtige Option ist die längste" in longest.message
    assert longest.line == 5  # the options: key
    tie = cues.item_warnings(single("t", "Gleich", "Anders", "Kurz"))
    assert any("die längste" in m for m in messages(tie))
    assert cues.item_warnings(single("k", "Kurz", "Viel länger", "Noch länger")) == []


def test_correct_option_much_longer_than_its_distractors_warns() -> None:
    # 16 characters against a mean of 10: 1.6 > 1.5
    (_, ratio) = cues.item_warnings(single("q", "x" * 16, "y" * 10, "z" * 10))
    assert ratio.message.startswith("Frage q: Die richtige Option ist 1,6-mal so lang")
    # 15 against 10: exactly 1.5 is allowed (only the "longest" warning)
    (only,) = cues.item_warnings(single("q", "x" * 15, "y" * 10, "z" * 10))
    assert "die längste" in only.message


def test_absolute_words_only_in_distractors_warn() -> None:
    (warning,) = cues.item_warnings(single("q", "Kurz", "Das gilt immer", "Nur hier und NIE dort"))
    assert "Absolute Wörter („immer“, „nur“, „nie“) stehen nur in falschen Optionen" in warning.message
    # an absolute word in the correct option too: no cue
    assert cues.item_warnings(single("q", "Nur bei", "Das gilt immer", "Sonst")) == []
    # whole words only: "Nutzung", "nieder", "allerdings", "Jedermann" are no absolute words
    assert cues.item_warnings(single("q", "Kurz", "Die Nutzung nieder", "Allerdings Jedermann")) == []


def test_absolute_words_in_multiple_items_count_all_correct_options() -> None:
    item = question("m", "multiple", [("A richtig", True), ("B stets", False), ("C richtig", True)])
    assert "„stets“" in cues.item_warnings(item)[0].message
    quiet = question("m", "multiple", [("A richtig", True), ("B stets", False), ("C ist immer so", True)])
    assert cues.item_warnings(quiet) == []


def test_malformed_and_true_false_items_are_left_to_the_structural_checks() -> None:
    assert cues.item_cues(question("tf", "true_false", correct=True)) is None
    assert cues.item_cues(question("x", "single", [("A", True), ("B", True)])) is None
    assert cues.item_cues(question("x", "single", [("A", True), ("  ", False)])) is None
    assert cues.item_cues(question("x", "single", None)) is None
    assert cues.item_cues(question("x", "multiple", [("A", True), ("B", True)])) is None


def test_first_position_single_and_multiple() -> None:
    assert cues.item_cues(single("s", "R", "F", "G", at=0)).correct_first
    assert not cues.item_cues(single("s", "R", "F", "G", at=2)).correct_first
    both_first = question("m", "multiple", [("R1", True), ("R2", True), ("F", False)])
    split = question("m", "multiple", [("R1", True), ("F", False), ("R2", True)])
    assert cues.item_cues(both_first).correct_first and not cues.item_cues(split).correct_first


# --- pools ------------------------------------------------------------------------------------------


def pool_errors(*questions: QuestionSource, draw: int | None = 1) -> list[str]:
    return messages(cues.pool_problems(cues.pool_figures(course(*questions, draw=draw)))[0])


def test_a_balanced_pool_has_no_error() -> None:
    figures = cues.pool_figures(course(*balanced()))
    assert figures.longest_share == 0 and figures.first_share == 0 and figures.absolute_gap == 0
    assert figures.length_ratio == pytest.approx(11 / ((12 + 6) / 2))
    assert pool_errors(*balanced()) == []


def test_longest_correct_share_above_30_percent_is_an_error() -> None:
    longest = single("l", "Die längste aller Optionen", "Mittel lang hier", "Etwas kürzer", at=1)
    # 1 of 4 = 25 %: allowed; 2 of 5 = 40 %: error
    assert not any("die längste" in m for m in pool_errors(longest, *balanced(3)))
    errors = pool_errors(longest, single("l2", "Noch eine sehr lange Option", "Kurz", "Knapp", at=1), *balanced(3))
    assert any(m.startswith("Fragenpool: Bei 40 % der single-Fragen (2 von 5) ist die richtige Option die längste")
               for m in errors)


def test_length_ratio_outside_the_band_is_an_error() -> None:
    # correct options 12 characters, distractors 10: 1.2 allowed; 13/10 = 1.3 not; 7/10 = 0.7 not
    def pool(correct_length: int) -> list[str]:
        return pool_errors(*[single(f"r{i}", "c" * correct_length, "d" * 10, "e" * 14, "f" * 6, at=1 + i % 3,
                                    prompt=f"Stamm{i}") for i in range(5)])
    assert not any("mal so lang" in m for m in pool(12))
    assert any("Richtige Optionen sind im Mittel 1,30-mal so lang wie Ablenkungen" in m for m in pool(13))
    assert any("0,70-mal" in m for m in pool(7))
    assert not any("mal so lang" in m for m in pool(8))


def test_first_position_share_above_40_percent_is_an_error() -> None:
    first = [single(f"f{i}", "Mittel lang", "Etwas länger", "Kürzer", at=0) for i in range(2)]
    assert not any("zuerst" in m for m in pool_errors(*first, *balanced(3)))  # 2 of 5 = 40 %
    multiple = question("m", "multiple", [("R1 text", True), ("R2 text", True), ("F text", False)])
    assert any("Bei 50 % der Auswahlfragen (3 von 6) steht die richtige Option in der Datei zuerst" in m
               for m in pool_errors(*first, multiple, *balanced(3)))


def test_absolute_words_gap_above_15_points_is_an_error() -> None:
    # 8 distractors of 4 items: 1 with an absolute word = 12.5 %, correct 0 %: allowed; 2 = 25 %: error
    items = balanced(4)
    items[0] = single("a", "Mittel lang", "Gilt immer", "Kürzer", at=1)
    assert not any("absolute Wörter" in m for m in pool_errors(*items))
    items[1] = single("b", "Mittel lang", "Etwas länger", "Nie so", at=1)
    (error,) = [m for m in pool_errors(*items) if "absolute Wörter" in m]
    assert error.startswith("Fragenpool: 25 % der Ablenkungen, aber nur 0 % der richtigen Optionen")
    # the same words in correct options close the gap
    items[2] = single("c", "Nur so lang", "Etwas länger", "Kürzer", at=1)
    assert not any("absolute Wörter" in m for m in pool_errors(*items))


def true_false(n_true: int, n_false: int) -> list[QuestionSource]:
    return ([question(f"t{i}", "true_false", correct=True) for i in range(n_true)]
            + [question(f"f{i}", "true_false", correct=False) for i in range(n_false)])


def test_true_false_balance_is_an_error_from_five_items_and_a_warning_below() -> None:
    def problems(n_true: int, n_false: int) -> tuple[list[str], list[str]]:
        errors, warnings = cues.pool_problems(cues.pool_figures(course(*balanced(), *true_false(n_true, n_false))))
        return [m for m in messages(errors) if "Wahr/Falsch" in m], [m for m in messages(warnings) if "Wahr/Falsch" in m]

    assert problems(2, 3) == ([], [])  # 40 %
    assert problems(3, 2) == ([], [])  # 60 %
    errors, warnings = problems(1, 4)  # 20 %
    assert errors == ["Fragenpool: 1 von 5 Wahr/Falsch-Fragen sind wahr (20 %); ausgewogen ist 40 % bis 60 %"]
    assert warnings == []
    assert problems(0, 3) == ([], ["Fragenpool: 0 von 3 Wahr/Falsch-Fragen sind wahr (0 %); ausgewogen ist "
                                   "40 % bis 60 %"])
    assert problems(0, 0) == ([], [])


def test_pool_must_be_twice_the_draw() -> None:
    assert not any("doppelt so groß" in m for m in pool_errors(*balanced(4), draw=2))
    assert any("Fragenpool: 4 Fragen bei 3 je Versuch" in m for m in pool_errors(*balanced(4), draw=3))


# --- near-duplicate stems ---------------------------------------------------------------------------


def test_stem_normalisation_drops_case_punctuation_and_stop_words() -> None:
    assert cues.stem_tokens("Was ist **ein** KI-System, laut der Verordnung?") == {"ki", "system", "laut",
                                                                                  "verordnung"}


def test_near_duplicate_stems_within_and_across_courses() -> None:
    a = single("a-1", "R", "F", "G", prompt="Wer haftet beim Einsatz eines Chatbots im Bürgerbüro?")
    b = single("a-2", "R", "F", "G", prompt="Wer haftet für den Einsatz eines Chatbots im Bürgerbüro?")
    other = single("c-1", "R", "F", "G", prompt="Welche Daten darf man in einen öffentlichen Chatbot eingeben?")
    errors, warnings = cues.near_duplicates([course(a, b, other)])
    assert messages(errors) == ["Frage a-2: Der Fragestamm ist fast gleich wie bei Frage a-1 (Ähnlichkeit 1,00; "
                                "ab 0,60 ein Fehler); wer beide sieht, erhält die Lösung doppelt oder verwechselt sie"]
    assert errors[0].line == 4 and warnings == []
    # across courses: the other course's file is named
    errors, _ = cues.near_duplicates([course(a, slug="eins"), course(b, slug="zwei")])
    assert "bei Frage a-1 (kurs/quiz.yml)" in errors[0].message


def test_similarity_between_045_and_06_is_a_warning_below_it_quiet() -> None:
    # tokens {haftet, einsatz, chatbots, bürgerbüro} vs {haftet, einsatz, chatbots, rathaus, heute}: 3 of 6
    a = single("a", "R", "F", "G", prompt="Wer haftet beim Einsatz eines Chatbots im Bürgerbüro?")
    b = single("b", "R", "F", "G", prompt="Wer haftet beim Einsatz eines Chatbots im Rathaus heute?")
    assert cues.jaccard(cues.stem_tokens(a.prompt), cues.stem_tokens(b.prompt)) == 0.5
    errors, warnings = cues.near_duplicates([course(a, b)])
    assert errors == [] and "Ähnlichkeit 0,50" in warnings[0].message
    c = single("c", "R", "F", "G", prompt="Wer haftet beim Einsatz von Übersetzungsprogrammen im Rathaus?")
    assert cues.jaccard(cues.stem_tokens(a.prompt), cues.stem_tokens(c.prompt)) < 0.45
    assert cues.near_duplicates([course(a, c)]) == ([], [])


def test_check_cues_collects_everything_sorted() -> None:
    report = cues.check_cues([course(*balanced(4)), course(*true_false(0, 5), slug="zwei", draw=None)])
    assert [f.slug for f in report.figures] == ["kurs", "zwei"]
    assert messages(report.errors) == ["Fragenpool: 0 von 5 Wahr/Falsch-Fragen sind wahr (0 %); ausgewogen ist "
                                       "40 % bis 60 %"]
    assert report.errors[0].file == "zwei/quiz.yml"
