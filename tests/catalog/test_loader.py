"""Reading courses/ into dataclasses with file and line. Pure, no app."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from lms.catalog.loader import (
    YamlList,
    YamlMap,
    content_hash,
    load_catalog,
    load_yaml,
    parse_version,
    replace_facts,
)
from tests.catalog.tree import Tree


def test_valid_tree_loads_without_problems(tree: Tree) -> None:
    catalog, problems = load_catalog(tree.root)
    assert problems == []
    assert [a.key for a in catalog.framework.areas] == ["grundlagen", "recht"]
    assert [lv.level for lv in catalog.framework.levels] == [1, 2, 3, 4]
    (course,) = catalog.courses
    assert course.slug == "testkurs"
    assert course.file == "courses/testkurs/course.yml"
    assert course.version == "1.0.0" and course.major == 1
    assert course.awards == {"grundlagen": 1, "recht": 2}
    assert course.facts_as_of == date(2026, 11, 25)
    assert course.show_solutions == "after_pass"
    assert (course.pass_mark, course.questions_per_attempt, course.attempts_per_day) == (80, 3, 3)


def test_modules_in_file_order_with_front_matter(tree: Tree) -> None:
    (course,) = load_catalog(tree.root)[0].courses
    first, second = course.modules
    assert (first.slug, first.position, first.title, first.minutes, first.acknowledge) == (
        "01-einfuehrung", 1, "Einführung", 8, False)
    assert (second.slug, second.position, second.acknowledge) == ("02-leitlinie", 2, True)
    assert first.file == "courses/testkurs/01-einfuehrung.md"
    assert first.body_line == 5  # the line after the closing ---
    assert first.body.lstrip().startswith("Die Pflicht gilt")


def test_questions_with_lines(tree: Tree) -> None:
    (course,) = load_catalog(tree.root)[0].courses
    keys = [q.key for q in course.questions]
    assert keys == ["q-001", "q-002", "q-003", "q-004"]
    q1, q2, q3, _ = course.questions
    assert q1.file == "courses/testkurs/quiz.yml"
    assert q1.line == tree.line_of("testkurs/quiz.yml", "id: q-001")
    assert q2.line == tree.line_of("testkurs/quiz.yml", "id: q-002")
    assert [(o.text, o.is_correct) for o in q1.options] == [
        ("Antwort A", True), ("Antwort B", False), ("Antwort C", False)]
    assert q1.options[1].line == tree.line_of("testkurs/quiz.yml", "Antwort B")
    assert q3.type == "true_false" and q3.correct is False and q3.options == []


def test_facts_are_replaced_everywhere(tree: Tree) -> None:
    (course,) = load_catalog(tree.root)[0].courses
    assert course.summary == "Ein Kurs für Tests, Stand 25. November 2026."
    assert "seit dem 2. Februar 2025." in course.modules[0].body
    assert course.questions[1].prompt == "Welche gelten seit dem 2. Februar 2025?"


def test_replace_facts_reports_line_of_each_placeholder() -> None:
    problems: list = []
    text = "eins\nzwei {{ facts.a }}\ndrei {{ facts.b }} {{ fact.c }}"
    out = replace_facts(text, {"a": "A"}, "f.md", 10, problems)
    assert out == "eins\nzwei A\ndrei {{ facts.b }} {{ fact.c }}"
    assert [(p.line, p.message.split(" ")[1]) for p in problems] == [(12, "Fakt"), (12, "Platzhalter")]


def test_yaml_lines_for_mappings_keys_and_items() -> None:
    data = load_yaml("a: 1\nb:\n  - x\n  - y: 2\n    z: 3\n", line_offset=10)
    assert isinstance(data, YamlMap) and data.line == 11
    assert data.line_of("b") == 12
    assert isinstance(data["b"], YamlList) and data["b"].item_lines == [13, 14]
    assert data["b"][1].line == 14 and data["b"][1].line_of("z") == 15


def test_yaml_duplicate_keys_are_recorded() -> None:
    data = load_yaml("a: 1\nb: 2\na: 3\n")
    assert data["a"] == 3 and data.duplicates == [("a", 3)]


def test_yaml_syntax_error_raises() -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml("a: [1, 2\nb: 3")


def test_yaml_is_safe() -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml("a: !!python/object/apply:os.system ['true']")


@pytest.mark.parametrize(("text", "parsed"), [
    ("1.0.0", (1, 0, 0)), ("2.10.3", (2, 10, 3)), ("1.0", None), ("01.0.0", None), ("1.0.0-beta", None),
    ("", None), (None, None),
])
def test_parse_version(text, parsed) -> None:
    assert parse_version(text) == parsed


def test_content_hash_changes_with_any_file_and_ignores_hidden(tree: Tree) -> None:
    before = content_hash(tree.course)
    assert content_hash(tree.course) == before
    tree.write("testkurs/.notizen.txt", "privat")
    assert content_hash(tree.course) == before
    (tree.course / "img" / "diagramm.png").write_bytes(b"anders")
    assert content_hash(tree.course) != before


def test_content_hash_depends_on_file_names(tree: Tree) -> None:
    before = content_hash(tree.course)
    (tree.course / "02-leitlinie.md").rename(tree.course / "03-leitlinie.md")
    assert content_hash(tree.course) != before


def test_crlf_and_bom_are_accepted(tree: Tree) -> None:
    path = tree.path("testkurs/02-leitlinie.md")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    catalog, problems = load_catalog(tree.root)
    assert problems == []
    assert catalog.courses[0].modules[1].title == "Leitlinie"
