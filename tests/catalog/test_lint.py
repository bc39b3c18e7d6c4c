"""Every lint check, each on a fixture course broken in one way. Pure: no app, no database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from lms.catalog.lint import lint, positional_references
from tests.catalog.tree import Tree

C = "testkurs/course.yml"
Q = "testkurs/quiz.yml"
M1 = "testkurs/01-einfuehrung.md"
M2 = "testkurs/02-leitlinie.md"
F = "competences.yml"


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Callable[[Tree], None]
    #: the file the problem is reported for (relative to courses/)
    file: str
    #: text on the reported line (after the mutation); None: the problem has no line
    needle: str | None
    #: part of the message
    message: str
    #: the broken element is reported once, not as a cascade of follow-up errors
    max_problems: int = 2


def sub(name: str, old: str, new: str) -> Callable[[Tree], None]:
    return lambda t: t.replace(name, old, new)


def write(name: str, text: str) -> Callable[[Tree], None]:
    return lambda t: t.write(name, text)


def remove(name: str) -> Callable[[Tree], None]:
    return lambda t: t.path(name).unlink()


def both(*mutations: Callable[[Tree], None]) -> Callable[[Tree], None]:
    def run(t: Tree) -> None:
        for m in mutations:
            m(t)
    return run


NEW_AREA = "  - key: {key}\n    name: {{de: Neu, en: New}}\n"
LEVEL_4 = "  - level: 4\n    key: gestalten\n    name: {de: Gestalten, en: Shape}\n    description: {de: Gestaltet., en: Shapes.}\n"

CASES = [
    # competences.yml
    Case("framework missing", remove(F), F, None, "Datei fehlt"),
    Case("framework yaml syntax", sub(F, "name: {de: Recht, en: Law}", "name: {de: Recht, en: Law"), F,
         "description: {de: KI-Verordnung.", "YAML-Syntaxfehler"),
    Case("framework not a mapping", write(F, "- a\n- b\n"), F, "- a", "muss eine Zuordnung"),
    Case("framework unknown top key", sub(F, "areas:", "bereiche: []\nareas:"), F, "bereiche:", "unbekannter Schlüssel „bereiche“"),
    Case("area key duplicate", lambda t: t.write(F, t.read(F) + NEW_AREA.format(key="grundlagen")), F, "  - key: grundlagen\n    name: {de: Neu", "Kompetenzbereich „grundlagen“ kommt doppelt vor"),
    Case("area key invalid", lambda t: t.write(F, t.read(F) + NEW_AREA.format(key="Neu-Bereich")), F, "key: Neu-Bereich", "kein gültiger Schlüssel"),
    Case("area name language missing", sub(F, "name: {de: Recht, en: Law}", "name: {de: Recht}"), F, "name: {de: Recht}", "Pflichtangabe „en“ fehlt"),
    Case("area unknown key", sub(F, "  - key: recht\n", "  - key: recht\n    farbe: blau\n"), F, "farbe: blau", "unbekannter Schlüssel „farbe“"),
    Case("no area", lambda t: t.write(F, t.read(F).split("areas:")[0] + "areas: []\n"), F, None, "kein Kompetenzbereich", max_problems=20),
    Case("level out of range", sub(F, "level: 4", "level: 5"), F, "level: 5", "zwischen 1 und 4"),
    Case("level missing", sub(F, LEVEL_4, ""), F, None, "Stufen fehlen: 4"),
    Case("level duplicate", sub(F, "level: 4", "level: 3"), F, "  - level: 3\n    key: gestalten", "Stufe 3 ist mehrfach"),
    Case("level not a number", sub(F, "level: 2", "level: zwei"), F, "level: zwei", "ganze Zahl"),
    # course.yml
    Case("course.yml missing", remove(C), C, None, "jeder Kursordner braucht eine course.yml"),
    Case("course yaml syntax", sub(C, "title: Testkurs", "title: [Testkurs"), C, "summary:", "YAML-Syntaxfehler"),
    Case("course slug invalid", lambda t: t.course.rename(t.root / "Test_Kurs"), "Test_Kurs", None, "kein gültiger Kurs-Schlüssel"),
    Case("title missing", sub(C, "title: Testkurs\n", ""), C, "summary:", "Pflichtangabe „title“ fehlt"),
    Case("title empty", sub(C, "title: Testkurs", "title: ''"), C, "title:", "darf nicht leer sein"),
    Case("version not semantic", sub(C, "version: 1.0.0", "version: 1.0"), C, "version: 1.0", "MAJOR.MINOR.PATCH"),
    Case("version missing", sub(C, "version: 1.0.0\n", ""), C, "title:", "Pflichtangabe „version“ fehlt"),
    Case("minutes not integer", sub(C, "minutes: 20", "minutes: zwanzig"), C, "minutes: zwanzig", "„minutes“ muss eine ganze Zahl sein"),
    Case("minutes zero", sub(C, "minutes: 20", "minutes: 0"), C, "minutes: 0", "mindestens 1"),
    Case("pass mark above 100", sub(C, "pass_mark: 80", "pass_mark: 120"), C, "pass_mark: 120", "zwischen 1 und 100"),
    Case("validity missing", sub(C, "validity_months: 24\n", ""), C, "title:", "Pflichtangabe „validity_months“"),
    Case("draw zero", sub(C, "questions_per_attempt: 3", "questions_per_attempt: 0"), C, "questions_per_attempt: 0", "mindestens 1"),
    Case("attempts per day boolean", sub(C, "attempts_per_day: 3", "attempts_per_day: yes"), C, "attempts_per_day: yes", "ganze Zahl"),
    Case("show_solutions unknown", sub(C, "show_solutions: after_pass", "show_solutions: immer"), C, "show_solutions: immer", "after_pass, always, never"),
    Case("course unknown key", sub(C, "pass_mark: 80", "pass_mark: 80\npass_mak: 80"), C, "pass_mak", "unbekannter Schlüssel „pass_mak“"),
    Case("course duplicate key", sub(C, "pass_mark: 80", "pass_mark: 80\npass_mark: 70"), C, "pass_mark: 70", "kommt doppelt vor"),
    Case("awards unknown area", sub(C, "  recht: 2", "  rechte: 2"), C, "  rechte: 2", "unbekannter Kompetenzbereich „rechte“"),
    Case("awards level out of range", sub(C, "  recht: 2", "  recht: 5"), C, "  recht: 5", "1, 2, 3 oder 4"),
    Case("awards empty", sub(C, "awards:\n  grundlagen: 1\n  recht: 2", "awards: {}"), C, "awards: {}", "mindestens einen Kompetenzbereich"),
    Case("awards not a mapping", sub(C, "awards:\n  grundlagen: 1\n  recht: 2", "awards: grundlagen"), C, "awards: grundlagen", "Zuordnung"),
    Case("facts_as_of not a date", sub(C, "facts_as_of: 2026-11-25", "facts_as_of: November"), C, "facts_as_of: November", "JJJJ-MM-TT"),
    Case("fact value unquoted date", sub(C, "facts:\n", "facts:\n  neu: 2025-02-02\n"), C, "neu: 2025-02-02", "Anführungszeichen"),
    Case("fact key invalid", sub(C, "facts:\n", "facts:\n  neues-datum: x\n"), C, "neues-datum", "Fakt-Schlüssel"),
    Case("unknown fact in summary", sub(C, "{{ facts.stand }}", "{{ facts.stnd }}"), C, "summary:", "unbekannter Fakt „stnd“"),
    Case("stray yaml file", write("testkurs/quiz.yaml", "questions: []\n"), "testkurs/quiz.yaml", None, "unbekannte Datei"),
    # modules
    Case("no module", both(remove(M1), remove(M2)), C, None, "kein Modul"),
    Case("module file name", lambda t: t.path(M2).rename(t.path("testkurs/2-leitlinie.md")), "testkurs/2-leitlinie.md", None, "NN-name.md"),
    Case("module number twice", lambda t: t.path(M2).rename(t.path("testkurs/01-leitlinie.md")), "testkurs/01-leitlinie.md", None, "Modulnummer 01 ist schon vergeben"),
    Case("module without front matter", sub(M2, "---\ntitle: Leitlinie\nminutes: 12\nacknowledge: true\n---\n", ""), M2, "\nDie Leitlinie", "Front Matter fehlt"),
    Case("front matter not closed", sub(M2, "acknowledge: true\n---\n", "acknowledge: true\n"), M2, "---", "Front Matter fehlt"),
    Case("front matter yaml syntax", sub(M2, "title: Leitlinie", "title: [Leitlinie"), M2, "minutes: 12", "YAML-Syntaxfehler"),
    Case("module title missing", sub(M2, "title: Leitlinie\n", ""), M2, "minutes: 12", "Pflichtangabe „title“ fehlt"),
    Case("module minutes missing", sub(M2, "minutes: 12\n", ""), M2, "title: Leitlinie", "Pflichtangabe „minutes“ fehlt"),
    Case("module minutes not a number", sub(M2, "minutes: 12", "minutes: zwölf"), M2, "minutes: zwölf", "ganze Zahl"),
    Case("acknowledge not boolean", sub(M2, "acknowledge: true", "acknowledge: ja bitte"), M2, "acknowledge:", "true oder false"),
    Case("module unknown front matter key", sub(M2, "minutes: 12", "minutes: 12\nautor: X"), M2, "autor: X", "unbekannter Schlüssel „autor“"),
    Case("module empty", sub(M2, "Die Leitlinie der Verwaltung.\n", ""), M2, None, "keinen Text"),
    Case("module not utf-8", lambda t: t.path(M2).write_bytes("---\ntitle: Übung\nminutes: 1\n---\nÄ\n".encode("latin-1")), M2, None, "UTF-8"),
    Case("unknown fact in module", sub(M1, "{{ facts.frist }}", "{{ facts.fristen }}"), M1, "facts.fristen", "unbekannter Fakt „fristen“"),
    Case("malformed placeholder", sub(M1, "{{ facts.frist }}", "{{ frist }}"), M1, "{{ frist }}", "unbekannter Platzhalter"),
    Case("h1 in module", sub(M1, "Mehr bei", "# Ein Titel\n\nMehr bei"), M1, "# Ein Titel", "Ebene 1"),
    Case("script in module", sub(M1, "## Ein Abschnitt", "<script>alert(1)</script>\n\n## Ein Abschnitt"), M1, "<script>", "<script> ist nicht erlaubt"),
    Case("iframe in module", sub(M1, "## Ein Abschnitt", '<iframe src="https://x.example"></iframe>\n\n## Ein Abschnitt'), M1, "<iframe", "<iframe> ist nicht erlaubt"),
    Case("event handler in module", sub(M1, "## Ein Abschnitt", '<p onclick="x()">Text</p>\n\n## Ein Abschnitt'), M1, "onclick", "„onclick“"),
    Case("style attribute in module", sub(M1, "## Ein Abschnitt", '<p style="color:red">Text</p>\n\n## Ein Abschnitt'), M1, "style=", "„style“"),
    Case("invalid lang in module", sub(M1, "## Ein Abschnitt", 'Der Bericht <span lang="englisch">Energy and AI</span>.\n\n## Ein Abschnitt'), M1, 'lang="englisch"', "kein gültiger Sprachcode"),
    Case("unknown language code", sub(M1, "## Ein Abschnitt", '<p lang="xx">Text</p>\n\n## Ein Abschnitt'), M1, 'lang="xx"', "kein gültiger Sprachcode"),
    Case("javascript link", sub(M1, "(https://eur-lex.europa.eu/)", "(javascript:alert(1))"), M1, "javascript:", "nur http, https, mailto"),
    Case("data url image", sub(M1, "(img/diagramm.png)", "(data:image/png;base64,AAAA)"), M1, "data:image", "nur Bilder aus dem Kursordner"),
    Case("external image", sub(M1, "(img/diagramm.png)", "(https://example.org/a.png)"), M1, "example.org/a.png", "nur Bilder aus dem Kursordner"),
    Case("image missing", sub(M1, "(img/diagramm.png)", "(img/fehlt.png)"), M1, "img/fehlt.png", "Datei nicht gefunden"),
    Case("image without alt text", sub(M1, "![Ein Diagramm]", "![]"), M1, "img/diagramm.png", "ohne Alternativtext"),
    Case("image outside course folder", sub(M1, "(img/diagramm.png)", "(../anderer/img/a.png)"), M1, "../anderer", "aus dem Kursordner hinaus"),
    Case("image of a forbidden type", both(write("testkurs/img/a.svg", "<svg/>"), sub(M1, "(img/diagramm.png)", "(img/a.svg)")), M1, "img/a.svg", "nur Bilder"),
    Case("relative link to a non-image", sub(M1, "(https://eur-lex.europa.eu/)", "(notizen.pdf)"), M1, "notizen.pdf", "nur Bilder"),
    Case("absolute path link", sub(M1, "(https://eur-lex.europa.eu/)", "(/admin/konten)"), M1, "/admin/konten", "absolute Pfade"),
    Case("protocol-relative link", sub(M1, "(https://eur-lex.europa.eu/)", "(//evil.example/x)"), M1, "//evil.example", "absolute Pfade"),
    # quiz.yml
    Case("quiz missing", remove(Q), Q, None, "Fragenpool quiz.yml"),
    Case("quiz yaml syntax", sub(Q, "prompt: Wer ist Betreiber?", "prompt: [Wer ist Betreiber?"), Q, "options:\n      - text: Die Stadt", "YAML-Syntaxfehler"),
    Case("quiz without questions key", sub(Q, "questions:", "fragen:"), Q, "fragen:", "unbekannter Schlüssel „fragen“"),
    Case("question id duplicate", sub(Q, "id: q-004", "id: q-001"), Q, "  - id: q-001\n    type: single\n    area: recht", "Frage-ID „q-001“ kommt doppelt vor"),
    Case("question id invalid", sub(Q, "id: q-004", "id: Frage 4"), Q, "id: Frage 4", "Frage-ID „Frage 4“ ist ungültig"),
    Case("question id missing", sub(Q, "  - id: q-004\n    type: single", "  - type: single"), Q, "  - type: single\n    area: recht", "Pflichtangabe „id“ fehlt"),
    Case("question type unknown", sub(Q, "type: multiple", "type: mehrfach"), Q, "type: mehrfach", "single, multiple, true_false"),
    Case("question unknown key", sub(Q, "explanation: Weil A stimmt.", "explaination: Weil A stimmt."), Q, "explaination", "unbekannter Schlüssel „explaination“"),
    Case("explanation missing", sub(Q, "    explanation: Weil A stimmt.\n", ""), Q, "  - id: q-001", "Pflichtangabe „explanation“ fehlt"),
    Case("source missing", sub(Q, "    source: Art. 113 KI-Verordnung\n", ""), Q, "  - id: q-002", "Pflichtangabe „source“ fehlt"),
    Case("prompt empty", sub(Q, "prompt: Wer ist Betreiber?", "prompt: ''"), Q, "prompt: ''", "darf nicht leer sein"),
    Case("question area unknown", sub(Q, "area: recht\n    prompt: Wer", "area: rechte\n    prompt: Wer"), Q, "area: rechte", "unbekannter Kompetenzbereich „rechte“"),
    Case("single with two correct", sub(Q, "      - text: Antwort B\n", "      - text: Antwort B\n        correct: true\n"), Q, "    options:\n      - text: Antwort A", "genau eine richtige Option (markiert: 2)"),
    Case("single with none correct", sub(Q, "      - text: Die Stadt\n        correct: true\n", "      - text: Die Stadt\n"), Q, "    options:\n      - text: Die Stadt", "genau eine richtige Option (markiert: 0)"),
    Case("multiple with none correct", sub(Q, "      - text: Art. 4\n        correct: true\n      - text: Art. 5\n        correct: true\n", "      - text: Art. 4\n      - text: Art. 5\n"), Q, "    options:\n      - text: Art. 4", "mindestens eine richtige Option"),
    Case("fewer than two options", sub(Q, "      - text: Der Hersteller\n", ""), Q, "    options:\n      - text: Die Stadt", "mindestens zwei Optionen"),
    Case("options not a list", sub(Q, "    options:\n      - text: Die Stadt\n        correct: true\n      - text: Der Hersteller\n", "    options: Die Stadt\n"), Q, "options: Die Stadt", "muss eine Liste sein"),
    Case("option without text", sub(Q, "      - text: Der Hersteller", "      - correct: false"), Q, "      - correct: false", "Pflichtangabe „text“ fehlt"),
    Case("option correct not boolean", sub(Q, "      - text: Antwort A\n        correct: true", "      - text: Antwort A\n        correct: richtig"), Q, "correct: richtig", "true oder false"),
    Case("option text twice", sub(Q, "      - text: Antwort C", "      - text: antwort  b"), Q, "antwort  b", "Option kommt doppelt vor"),
    Case("correct on a single question", sub(Q, "    explanation: Weil A stimmt.", "    correct: true\n    explanation: Weil A stimmt."), Q, "    correct: true\n    explanation: Weil A", "gehört bei single-Fragen an die einzelnen Optionen"),
    Case("true_false without correct", sub(Q, "    correct: false\n", ""), Q, "  - id: q-003", "Pflichtangabe „correct“ fehlt"),
    Case("true_false with options", sub(Q, "    correct: false\n", "    correct: false\n    options:\n      - text: Ja\n"), Q, "    options:\n      - text: Ja", "true_false-Fragen haben keine options"),
    Case("unknown fact in quiz", sub(Q, "{{ facts.frist }}", "{{ facts.frist2 }}"), Q, "facts.frist2", "unbekannter Fakt „frist2“"),
    Case("forbidden html in quiz", sub(Q, "prompt: Was ist **richtig**?", "prompt: Was ist <b onclick=alert(1)>richtig</b>?"), Q, "onclick", "„onclick“"),
    Case("explanation refers to an option's position", sub(Q, "explanation: Die Stadt setzt das System ein.", "explanation: >-\n      Die Stadt setzt das System ein; die\n      zweite Antwort meint den Hersteller."), Q, "zweite Antwort", "verweist auf die Stelle von Antworten („zweite Antwort“)"),
    Case("pool smaller than draw", sub(C, "questions_per_attempt: 3", "questions_per_attempt: 5"), C, "questions_per_attempt: 5", "4 Fragen, es sollen aber 5"),
]


def _line(tree: Tree, file: str, needle: str) -> int:
    """The line where ``needle`` starts (it may span lines: the first of them)."""
    text = tree.read(file)
    index = text.index(needle)
    return text.count("\n", 0, index) + 1


def test_fixture_tree_is_valid(tree: Tree) -> None:
    result = lint(tree.root)
    assert result.problems == []
    assert result.counts == (1, 2, 4)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_check(case: Case, tree: Tree) -> None:
    case.mutate(tree)
    problems = lint(tree.root).problems
    expected_file = f"courses/{case.file}"
    line = _line(tree, case.file, case.needle) if case.needle else None
    matching = [p for p in problems if p.file == expected_file and case.message in p.message]
    assert matching, f"expected {expected_file}: …{case.message}… in {[str(p) for p in problems]}"
    if case.needle is not None:
        assert any(p.line == line for p in matching), [str(p) for p in matching]
    assert len(problems) <= case.max_problems, [str(p) for p in problems]


def test_problem_reads_file_line_reason(tree: Tree) -> None:
    tree.replace(Q, "id: q-004", "id: q-001")
    (problem,) = lint(tree.root).problems
    line = _line(tree, Q, "  - id: q-001\n    type: single\n    area: recht")
    assert str(problem) == (f"courses/testkurs/quiz.yml:{line}: Frage-ID „q-001“ kommt doppelt vor "
                            f"(zuerst in Zeile 2)")


def test_problems_of_several_files_are_all_reported_sorted(tree: Tree) -> None:
    tree.replace(C, "pass_mark: 80", "pass_mark: 120")
    tree.replace(Q, "type: multiple", "type: mehrfach")
    tree.replace(M1, "## Ein Abschnitt", "# Ein Abschnitt")
    files = [p.file for p in lint(tree.root).problems]
    assert files == sorted(files) and len(files) == 3


def test_missing_courses_folder(tmp_path) -> None:
    (problem,) = lint(tmp_path / "gibt-es-nicht").problems
    assert "Kursordner nicht gefunden" in problem.message


def test_hidden_and_underscore_folders_are_ignored(tree: Tree) -> None:
    (tree.root / ".git").mkdir()
    (tree.root / "_entwurf").mkdir()
    assert lint(tree.root).ok


def test_second_course_counts(tree: Tree) -> None:
    tree.add_course("zweiter-kurs")
    result = lint(tree.root)
    assert result.ok and result.counts == (2, 4, 8)
    assert result.summary() == "2 Kurse, 4 Module, 8 Fragen"


# --- references to an option's position ---------------------------------------------------------------

POSITIONAL = [
    ("Die dritte Antwort ist richtig.", ["dritte Antwort"]),
    ("Die letzte Aussage verwechselt Seltenheit mit Treffsicherheit.", ["letzte Aussage"]),
    ("Die erste Option übersieht die Aufsicht.", ["erste Option"]),
    ("Der dritte Prompt enthält alle Bausteine.", ["dritte Prompt"]),
    ("Die letzten beiden Aussagen stimmen nicht.", ["letzten beiden Aussagen"]),
    ("Der erste Prompt ist zu unbestimmt, der zweite gibt nur eine Rolle. Der vierte führt zu Fehlern.",
     ["erste Prompt", "der zweite", "Der vierte"]),
    ("Antwort B nennt den Hersteller.", ["Antwort B"]),
    ("Option 2 ist zu eng gefasst.", ["Option 2"]),
    ("Die Antworten A und C treffen zu.", ["Antworten A"]),
    ("Antwort Nr. 3 gilt nur für Anbieter.", ["Antwort Nr. 3"]),
    ("Möglichkeit (b) ist verboten.", ["Möglichkeit (b)"]),
    ("A ist richtig, B und C sind falsch.", ["A ist richtig", "B und C sind falsch"]),
    ("Die oben genannte Antwort greift zu kurz.", ["oben genannte Antwort"]),
    ("Die untenstehende Aussage ist falsch.", ["untenstehende Aussage"]),
    ("Die obige Option ist unzulässig.", ["obige Option"]),
    ("Keine der obigen trifft zu.", ["Keine der obigen"]),
    ("The third answer mixes up provider and deployer; option B is right.", ["third answer", "option B"]),
    ("All of the above.", ["All of the above"]),
]

NOT_POSITIONAL = [
    "Im dritten Schritt prüfen Sie die Quelle.",
    "Art. 3 Nr. 4 KI-Verordnung definiert den Betreiber.",
    "Art. 4 und 5 gelten seit Februar 2025.",
    "Die erste Frage ist immer: Wer ist betroffen?",
    "Die Daten Dritter gehören nicht in das Werkzeug; auch nicht an Dritte.",
    "Das Modell wurde mit Entscheidungen der letzten zehn Jahre trainiert.",
    "Spätestens bei der ersten Interaktion, also beim ersten Mal.",
    "Die Antwort des KI-Werkzeugs kann falsch sein. Eine Option ist, die Quelle zu prüfen.",
    "Hochrisiko nach Anhang III, Stufe 2 des Kompetenzrahmens, Risikostufe 3.",
    "Die Angabe steht in der oberen Zeile des Formulars.",
    "Weil A stimmt.",
    "The answer a model gives is not a source.",
]


@pytest.mark.parametrize(("text", "phrases"), POSITIONAL, ids=[t for t, _ in POSITIONAL])
def test_positional_reference_found(text: str, phrases: list[str]) -> None:
    assert positional_references(text) == phrases


@pytest.mark.parametrize("text", NOT_POSITIONAL)
def test_position_of_something_else_is_fine(text: str) -> None:
    assert positional_references(text) == []


def test_positional_reference_in_prompts_and_options_is_not_reported(tree: Tree) -> None:
    """Only explanations: an option may be called "Antwort A", a scenario may have "die erste Option"."""
    tree.replace(Q, "prompt: Wer ist Betreiber?", "prompt: Die Stadt hat zwei Optionen. Die erste Option ist?")
    assert lint(tree.root).ok


def test_every_positional_phrase_of_an_explanation_in_one_problem(tree: Tree) -> None:
    tree.replace(Q, "explanation: Weil A stimmt.", "explanation: Die erste Antwort stimmt, die dritte nicht.")
    (problem,) = lint(tree.root).problems
    line = _line(tree, Q, "explanation: Die erste")
    assert str(problem) == (
        f"courses/testkurs/quiz.yml:{line}: Frage q-001: Die Erklärung verweist auf die Stelle von Antworten "
        "(„erste Antwort“, „die dritte“), aber die Antworten werden für jede Person neu gemischt; nennen Sie "
        "den Inhalt der Antwort statt ihrer Stelle")
