"""``lms courses lint`` and ``lms courses import``."""

from __future__ import annotations

from sqlalchemy import func, select

from lms import db
from lms.catalog.models import Course, CourseVersion
from tests.catalog.tree import Tree


def test_lint_ok(runner, tree: Tree) -> None:
    tree.clean_quiz()
    result = runner.invoke(args=["courses", "lint", str(tree.root)])
    assert result.exit_code == 0, result.output
    assert result.output == "1 courses, 2 modules, 7 questions: OK\n"


def test_lint_prints_warnings_without_failing(runner, tree: Tree) -> None:
    tree.clean_quiz()
    tree.replace("testkurs/quiz.yml", "Am Abgleich mit Quellen", "Am Abgleich mit mehreren Quellen")
    result = runner.invoke(args=["courses", "lint", str(tree.root)])
    assert result.exit_code == 0, result.output
    line = tree.line_of("testkurs/quiz.yml", "id: q-005") + 4  # its options: key
    assert result.output.splitlines() == [
        f"courses/testkurs/quiz.yml:{line}: Warnung: Frage q-005: Die richtige Option ist die längste (oder so "
        "lang wie die längste Ablenkung); wer rät, wählt die längste",
        "1 courses, 2 modules, 7 questions: OK (1 warning(s))",
    ]


def test_lint_fails_on_a_pool_error_and_prints_the_figures(runner, tree: Tree) -> None:
    """The fixture's own pool has cues: every correct option stands first, the pool is too small."""
    result = runner.invoke(args=["courses", "lint", "--stats", str(tree.root)])
    assert result.exit_code == 1
    assert "courses/testkurs/quiz.yml: Fragenpool: Bei 100 % der Auswahlfragen (3 von 3) steht die richtige " \
           "Option in der Datei zuerst; erlaubt sind höchstens 40 %\n" in result.stdout
    assert "| testkurs | 4 | 3 | 50 % (1 of 2) | " in result.stdout
    assert "3 error(s), 2 warning(s)" in result.stderr  # pool: first, longest, size; tf + item


def test_cues_prints_only_the_table(runner, tree: Tree) -> None:
    result = runner.invoke(args=["courses", "cues", str(tree.root)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("| course | questions | draw | longest correct (≤ 30 %)")
    # length ratio: correct options 9 and 9 characters, distractors 9, 9 and 14: 9 / (32 / 3) = 0.84
    assert lines[2] == ("| testkurs | 4 | 3 | 50 % (1 of 2) | 0.84 | 100 % (3 of 3) | 0 % / 0 % | 0 of 1 (0 %) |")
    assert len(lines) == 3


def test_lint_reports_file_line_reason_and_exits_1(runner, tree: Tree) -> None:
    tree.clean_quiz()
    tree.replace("testkurs/quiz.yml", "id: q-004", "id: q-001")
    tree.replace("testkurs/course.yml", "pass_mark: 80", "pass_mark: 800")
    result = runner.invoke(args=["courses", "lint", str(tree.root)])
    assert result.exit_code == 1
    quiz = tree.read("testkurs/quiz.yml")
    second = quiz.count("\n", 0, quiz.rindex("id: q-001")) + 1
    assert result.stdout.splitlines() == [
        f"courses/testkurs/course.yml:{tree.line_of('testkurs/course.yml', 'pass_mark')}: "
        "„pass_mark“ muss zwischen 1 und 100 liegen",
        f"courses/testkurs/quiz.yml:{second}: Frage-ID „q-001“ kommt doppelt vor (zuerst in Zeile 2)",
    ]
    assert "2 error(s)" in result.stderr


def test_lint_defaults_to_configured_folder(app, runner, tree: Tree) -> None:
    tree.clean_quiz()
    app.config["LMS_COURSES_DIR"] = str(tree.root)
    assert runner.invoke(args=["courses", "lint"]).exit_code == 0
    app.config["LMS_COURSES_DIR"] = str(tree.root / "fehlt")
    result = runner.invoke(args=["courses", "lint"])
    assert result.exit_code == 1 and "Kursordner nicht gefunden" in result.output


def test_import_writes_and_reports(app, runner, tree: Tree) -> None:
    app.config["LMS_COURSES_DIR"] = str(tree.root)
    result = runner.invoke(args=["courses", "import"])
    assert result.exit_code == 0, result.output
    assert result.output == "testkurs: created 1.0.0\nimported: 1 created, 0 updated, 0 unchanged, 0 deactivated\n"
    assert db.session.scalar(select(Course.slug)) == "testkurs"
    again = runner.invoke(args=["courses", "import", str(tree.root)])
    assert again.output == "imported: 0 created, 0 updated, 1 unchanged, 0 deactivated\n"
    tree.replace("testkurs/course.yml", "version: 1.0.0", "version: 1.0.1")
    third = runner.invoke(args=["courses", "import", str(tree.root)])
    assert third.output.startswith("testkurs: updated 1.0.0 -> 1.0.1\n")


def test_import_refused_prints_report_writes_nothing(app, runner, tree: Tree) -> None:
    tree.replace("testkurs/02-leitlinie.md", "minutes: 12", "minutes: viele")
    result = runner.invoke(args=["courses", "import", str(tree.root)])
    assert result.exit_code == 1
    assert result.stdout == ("courses/testkurs/02-leitlinie.md:3: „minutes“ muss eine ganze Zahl sein\n")
    assert "nothing was written" in result.stderr
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CourseVersion)) == 0
