"""Import: versions, no-op on unchanged content, refusal on any error, inactive courses."""

from __future__ import annotations

from sqlalchemy import func, select

from lms import db
from lms.audit.models import AuditEvent
from lms.catalog import services
from lms.catalog.models import Course, CourseVersion, Module, Question
from lms.competence.models import CompetenceArea, CompetenceLevel
from tests.catalog.tree import Tree

Q = "testkurs/quiz.yml"
C = "testkurs/course.yml"
M1 = "testkurs/01-einfuehrung.md"


def run(tree: Tree) -> services.ImportResult:
    result = services.import_courses(tree.root, actor_label="test")
    if result.ok:
        db.session.commit()
    else:
        db.session.rollback()
    return result


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def course(slug: str = "testkurs") -> Course:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def test_first_import_creates_course_and_version(app, tree: Tree) -> None:
    result = run(tree)
    assert result.ok
    assert [(o.slug, o.action, o.version) for o in result.outcomes] == [("testkurs", "created", "1.0.0")]
    c = course()
    v = c.current_version
    assert c.is_active and v.version == "1.0.0" and v.major == 1
    assert v.title == "Testkurs" and v.summary == "Ein Kurs für Tests, Stand 25. November 2026."
    assert (v.pass_mark, v.questions_per_attempt, v.attempts_per_day, v.show_solutions) == (80, 3, 3, "after_pass")
    assert v.awards == {"grundlagen": 1, "recht": 2} and v.validity_months == 24
    assert len(v.content_hash) == 64


def test_modules_are_stored_as_sanitised_html(app, tree: Tree) -> None:
    run(tree)
    first, second = course().current_version.modules
    assert (first.position, first.slug, first.title, first.minutes, first.acknowledge) == (
        1, "01-einfuehrung", "Einführung", 8, False)
    assert second.acknowledge is True
    assert "<p>Die Pflicht gilt seit dem 2. Februar 2025.</p>" in first.html
    assert '<img alt="Ein Diagramm" src="/kurse/testkurs/img/diagramm.png">' in first.html
    assert '<a href="https://eur-lex.europa.eu/" rel="noopener noreferrer">EUR-Lex</a>' in first.html
    assert '<th scope="col" align="left">Begriff</th>' in first.html
    assert '<div class="kern-table-responsive" role="region" tabindex="0"' in first.html
    assert "{{" not in first.html


def test_questions_and_options(app, tree: Tree) -> None:
    run(tree)
    q1, q2, q3, q4 = course().current_version.questions
    assert [q.key for q in (q1, q2, q3, q4)] == ["q-001", "q-002", "q-003", "q-004"]
    assert q1.prompt_html == "Was ist <strong>richtig</strong>?"  # inline: it sits in the <legend>
    assert q1.explanation_html == "<p>Weil A stimmt.</p>" and q1.source == "Kursmodul 1"
    assert [(o.position, o.text_html, o.is_correct) for o in q1.options] == [
        (0, "Antwort A", True), (1, "Antwort B", False), (2, "Antwort C", False)]
    assert q2.type == "multiple" and q2.area_key == "recht"
    assert q2.prompt_html == "Welche gelten seit dem 2. Februar 2025?"
    assert [o.is_correct for o in q2.options] == [True, True, False]
    # true_false: option 0 is "the statement is true"; this statement is false
    assert q3.type == "true_false"
    assert [(o.text_html, o.is_correct) for o in q3.options] == [("Wahr", False), ("Falsch", True)]


def test_competence_framework_is_upserted(app, tree: Tree) -> None:
    run(tree)
    areas = db.session.scalars(select(CompetenceArea).order_by(CompetenceArea.position)).all()
    assert [(a.key, a.name_de, a.name_en, a.position) for a in areas] == [
        ("grundlagen", "Grundlagen", "Basics", 1), ("recht", "Recht", "Law", 2)]
    levels = db.session.scalars(select(CompetenceLevel).order_by(CompetenceLevel.level)).all()
    assert [(lv.level, lv.key) for lv in levels] == [(1, "kennen"), (2, "anwenden"), (3, "bewerten"), (4, "gestalten")]
    tree.replace("competences.yml", "name: {de: Recht, en: Law}", "name: {de: Recht und Gesetz, en: Law}")
    tree.replace("competences.yml", "  - key: grundlagen", "  - key: ethik\n    name: {de: Ethik, en: Ethics}\n  - key: grundlagen")
    assert run(tree).ok
    db.session.expire_all()
    assert db.session.get(CompetenceArea, "recht").name_de == "Recht und Gesetz"
    assert db.session.get(CompetenceArea, "ethik").position == 1
    assert count(CourseVersion) == 1  # the course itself did not change


def test_import_records_an_audit_event(app, tree: Tree) -> None:
    run(tree)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "catalog.import"))
    assert event.actor_label == "test"
    assert event.detail["created"] == ["testkurs 1.0.0"] and event.detail["updated"] == []


def test_unchanged_reimport_is_a_no_op(app, tree: Tree) -> None:
    run(tree)
    imported_at = course().current_version.imported_at
    result = run(tree)
    assert result.ok and [o.action for o in result.outcomes] == ["unchanged"]
    assert count(CourseVersion) == 1 and count(Module) == 2 and count(Question) == 4
    assert course().current_version.imported_at == imported_at
    assert count(AuditEvent) == 2  # one per import, also when nothing changed


def test_changed_course_with_higher_version_becomes_new_current_version(app, tree: Tree) -> None:
    run(tree)
    old = course().current_version
    old_id, old_hash = old.id, old.content_hash
    tree.replace(M1, "## Ein Abschnitt", "## Ein neuer Abschnitt")
    tree.replace(C, "version: 1.0.0", "version: 1.1.0")
    result = run(tree)
    assert [(o.action, o.previous, o.version) for o in result.outcomes] == [("updated", "1.0.0", "1.1.0")]
    db.session.expire_all()
    c = course()
    assert c.current_version.version == "1.1.0" and c.current_version.id != old_id
    assert c.current_version.content_hash != old_hash
    assert "Ein neuer Abschnitt" in c.current_version.modules[0].html
    # the old version stays with its content: attempts and completions refer to it
    old = db.session.get(CourseVersion, old_id)
    assert old.version == "1.0.0" and "Ein Abschnitt" in old.modules[0].html and len(old.questions) == 4
    assert count(CourseVersion) == 2


def test_major_version_is_recorded(app, tree: Tree) -> None:
    run(tree)
    tree.replace(C, "version: 1.0.0", "version: 2.0.0")
    assert run(tree).ok
    assert course().current_version.major == 2


def test_changed_content_without_higher_version_is_refused(app, tree: Tree) -> None:
    run(tree)
    tree.replace(Q, "Weil A stimmt.", "Weil A stimmt, wie Modul 1 zeigt.")
    result = run(tree)
    assert not result.ok and result.outcomes == []
    (problem,) = result.problems
    assert problem.file == "courses/testkurs/course.yml" and problem.line == tree.line_of(C, "version:")
    assert "Version nicht erhöht" in problem.message and "1.0.0" in problem.message
    assert count(CourseVersion) == 1 and count(AuditEvent) == 1


def test_lower_version_is_refused(app, tree: Tree) -> None:
    tree.replace(C, "version: 1.0.0", "version: 1.2.0")
    run(tree)
    tree.replace(C, "version: 1.2.0", "version: 1.1.9")
    result = run(tree)
    assert not result.ok and "1.2.0" in result.problems[0].message


def test_lint_error_refuses_everything_and_previous_version_stays_live(app, tree: Tree) -> None:
    run(tree)
    version_id = course().current_version_id
    tree.add_course("zweiter-kurs")  # valid, but must not be imported while another course is broken
    tree.replace(C, "version: 1.0.0", "version: 1.1.0")
    tree.replace(Q, "type: multiple", "type: mehrfach")
    result = run(tree)
    assert not result.ok
    assert [str(p) for p in result.problems] == [
        f"courses/testkurs/quiz.yml:{tree.line_of(Q, 'type: mehrfach')}: „type“ muss einer der Werte "
        "single, multiple, true_false sein, nicht „mehrfach“"]
    db.session.expire_all()
    assert course().current_version_id == version_id
    assert course("zweiter-kurs") is None
    assert count(CourseVersion) == 1 and count(AuditEvent) == 1


def test_malicious_markdown_is_refused_by_import(app, tree: Tree) -> None:
    tree.replace(M1, "## Ein Abschnitt", '<script>alert(1)</script>\n\n<img src="img/diagramm.png" alt="x" onerror="alert(1)">\n\n## Ein Abschnitt')
    result = run(tree)
    assert not result.ok and count(Course) == 0
    assert {p.message.split(" ")[0] for p in result.problems} == {"HTML-Element", "HTML-Attribut"}


def test_removed_course_folder_marks_course_inactive(app, tree: Tree) -> None:
    tree.add_course("zweiter-kurs")
    run(tree)
    for path in sorted((tree.root / "zweiter-kurs").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (tree.root / "zweiter-kurs").rmdir()
    result = run(tree)
    assert {(o.slug, o.action) for o in result.outcomes} == {("testkurs", "unchanged"), ("zweiter-kurs", "deactivated")}
    db.session.expire_all()
    gone = course("zweiter-kurs")
    assert gone is not None and gone.is_active is False and gone.current_version.version == "1.0.0"
    # deactivating happens once; the next import leaves it alone
    assert [o.action for o in run(tree).outcomes] == ["unchanged"]
    # the folder comes back unchanged: active again, no new version
    tree.add_course("zweiter-kurs")
    result = run(tree)
    outcome = next(o for o in result.outcomes if o.slug == "zweiter-kurs")
    assert outcome.action == "unchanged" and outcome.reactivated
    db.session.expire_all()
    assert course("zweiter-kurs").is_active and count(CourseVersion) == 2


def test_plan_reads_only(app, tree: Tree) -> None:
    from lms.catalog.lint import lint

    outcomes, problems = services.plan(lint(tree.root).catalog)
    assert [(o.slug, o.action) for o in outcomes] == [("testkurs", "created")] and problems == []
    assert count(Course) == 0
