"""Read ``courses/`` into plain dataclasses, remembering the file and line of every element.

The loader checks the schema of each file (required keys, types, ranges, unknown keys) while it
reads, and replaces ``{{ facts.KEY }}`` placeholders with the course's facts. Checks across elements
(unique ids, known areas, links) are in :mod:`lms.catalog.lint`. Nothing here touches the database.

Every problem is a :class:`Problem` (``courses/x/quiz.yml:57: …``). A value that is missing or wrong
is ``None`` in the dataclass; import only runs when there is no problem at all, so it sees full values.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MODULE_FILE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
QUESTION_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
KEY = re.compile(r"^[a-z][a-z0-9_]*$")
FACT_KEY = re.compile(r"^[A-Za-z0-9_]+$")
PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")
FACT_PLACEHOLDER = re.compile(r"^\s*facts\.([A-Za-z0-9_]+)\s*$")

QUESTION_TYPES = ("single", "multiple", "true_false")
SHOW_SOLUTIONS = ("after_pass", "always", "never")
COMPETENCES_FILE = "competences.yml"
COURSE_FILE = "course.yml"
QUIZ_FILE = "quiz.yml"


@dataclass(frozen=True, order=True)
class Problem:
    """One error in the course files: where it is and why (German, translatable)."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclass
class LevelSource:
    level: int | None
    key: str | None
    name_de: str | None
    name_en: str | None
    description_de: str | None
    description_en: str | None
    line: int


@dataclass
class AreaSource:
    key: str | None
    name_de: str | None
    name_en: str | None
    description_de: str | None
    description_en: str | None
    line: int


@dataclass
class FrameworkSource:
    file: str
    levels: list[LevelSource] = field(default_factory=list)
    areas: list[AreaSource] = field(default_factory=list)


@dataclass
class OptionSource:
    text: str | None
    is_correct: bool
    line: int


@dataclass
class QuestionSource:
    key: str | None
    type: str | None
    area: str | None
    prompt: str | None
    explanation: str | None
    source: str | None
    #: single/multiple: the options from the file (None when missing or not a list);
    #: true_false: empty (see ``correct``)
    options: list[OptionSource] | None
    #: true_false only: whether the statement is true
    correct: bool | None
    file: str
    line: int
    #: line of each text field (prompt, explanation, source) for messages about its content
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class ModuleSource:
    slug: str
    #: the stable key progress follows: ``key:`` from the front matter, else the file name without its
    #: number; None when the given key is invalid
    key: str | None
    position: int
    title: str | None
    minutes: int | None
    acknowledge: bool
    #: Markdown with facts already replaced
    body: str
    file: str
    path: Path
    line: int
    #: line in the file where the body starts
    body_line: int


@dataclass
class CourseSource:
    slug: str
    path: Path
    file: str
    title: str | None = None
    summary: str = ""
    version: str | None = None
    minutes: int | None = None
    audience: str = ""
    awards: dict[str, int] = field(default_factory=dict)
    validity_months: int | None = None
    pass_mark: int | None = None
    questions_per_attempt: int | None = None
    attempts_per_day: int | None = None
    show_solutions: str | None = None
    facts_as_of: date | None = None
    facts: dict[str, str] = field(default_factory=dict)
    #: ``changes:``: version -> what changed in it (Markdown, shown to learners)
    changes: dict[str, str] = field(default_factory=dict)
    #: ``requires_renewal: true``: a new major version asks completions of earlier majors to be renewed
    requires_renewal: bool = False
    modules: list[ModuleSource] = field(default_factory=list)
    questions: list[QuestionSource] = field(default_factory=list)
    quiz_file: str = ""
    #: quiz.yml was read and has a list of questions (else the pool size is not checked)
    quiz_loaded: bool = False
    #: SHA-256 over every file of the course folder (names and bytes)
    content_hash: str = ""
    #: line of each top-level key in course.yml
    lines: dict[str, int] = field(default_factory=dict)
    #: line of each award entry (area -> line)
    award_lines: dict[str, int] = field(default_factory=dict)

    @property
    def major(self) -> int | None:
        parsed = parse_version(self.version)
        return parsed[0] if parsed else None

    @property
    def change_note(self) -> str:
        """The ``changes:`` entry of this version ("" when there is none)."""
        return self.changes.get(self.version or "", "")


@dataclass
class CatalogSource:
    root: Path
    framework: FrameworkSource | None = None
    courses: list[CourseSource] = field(default_factory=list)


def parse_version(version: str | None) -> tuple[int, int, int] | None:
    """``"1.2.3"`` -> ``(1, 2, 3)``; None when not a MAJOR.MINOR.PATCH version."""
    match = VERSION.match(version or "")
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


# --- YAML with line numbers -----------------------------------------------------------------------


class YamlMap(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 1
    key_lines: dict[Any, int]
    duplicates: list[tuple[Any, int]]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class YamlList(list):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int = 1
    item_lines: list[int]


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml parses ~10x faster when present


class _LineLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """SafeLoader that records the start line of every mapping, key and sequence item."""

    line_offset = 0


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> YamlMap:
    loader.flatten_mapping(node)
    result = YamlMap()
    result.line = node.start_mark.line + 1 + loader.line_offset
    result.key_lines = {}
    result.duplicates = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1 + loader.line_offset
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "unhashable key", key_node.start_mark) from None
        if key in result:
            result.duplicates.append((key, line))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> YamlList:
    result = YamlList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1 + loader.line_offset
    result.item_lines = [child.start_mark.line + 1 + loader.line_offset for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(text: str, line_offset: int = 0) -> Any:
    """Parse one YAML document; mappings become :class:`YamlMap`, sequences :class:`YamlList`.

    Raises ``yaml.YAMLError`` on a syntax error.
    """
    loader = _LineLoader(text)
    loader.line_offset = line_offset
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def yaml_error(exc: yaml.YAMLError, file: str, line_offset: int = 0) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 + line_offset if mark else None
    problem = getattr(exc, "problem", None) or str(exc)
    return Problem(file, line, _("YAML-Syntaxfehler: %(problem)s", problem=problem))


# --- reading typed fields -------------------------------------------------------------------------


class _Fields:
    """Read typed values from one mapping, reporting every wrong or missing one."""

    def __init__(self, data: YamlMap, file: str, problems: list[Problem], allowed: tuple[str, ...],
                 what: str = "") -> None:
        self.data = data
        self.file = file
        self.problems = problems
        self.what = what
        for key, line in data.duplicates:
            self.error(line, _("Schlüssel „%(key)s“ kommt doppelt vor", key=key))
        for key in data:
            if key not in allowed:
                self.error(data.line_of(key), _("unbekannter Schlüssel „%(key)s“%(what)s (erlaubt: %(allowed)s)",
                                                key=key, what=self.what, allowed=", ".join(allowed)))

    def error(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def line(self, key: str) -> int:
        return self.data.line_of(key)

    def _missing(self, key: str) -> None:
        self.error(self.data.line, _("Pflichtangabe „%(key)s“ fehlt%(what)s", key=key, what=self.what))

    def text(self, key: str, *, required: bool = True, max_length: int | None = None,
             default: str | None = None) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self._missing(key)
            return default
        if not isinstance(value, str):
            self.error(self.line(key), _("„%(key)s“ muss ein Text sein", key=key))
            return default
        value = value.strip()
        if required and not value:
            self.error(self.line(key), _("„%(key)s“ darf nicht leer sein", key=key))
            return default
        if max_length and len(value) > max_length:
            self.error(self.line(key), _("„%(key)s“ ist länger als %(max)d Zeichen", key=key, max=max_length))
            return default
        return value

    def integer(self, key: str, *, minimum: int | None = None, maximum: int | None = None,
                required: bool = True) -> int | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self._missing(key)
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(self.line(key), _("„%(key)s“ muss eine ganze Zahl sein", key=key))
            return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            if maximum is None:
                self.error(self.line(key), _("„%(key)s“ muss mindestens %(min)d sein", key=key, min=minimum))
            else:
                self.error(self.line(key), _("„%(key)s“ muss zwischen %(min)d und %(max)d liegen",
                                             key=key, min=minimum, max=maximum))
            return None
        return value

    def boolean(self, key: str, *, default: bool | None = False, required: bool = False) -> bool | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self._missing(key)
            return default
        if not isinstance(value, bool):
            self.error(self.line(key), _("„%(key)s“ muss true oder false sein", key=key))
            return default
        return value

    def choice(self, key: str, choices: tuple[str, ...]) -> str | None:
        value = self.data.get(key)
        if value is None:
            self._missing(key)
            return None
        if value not in choices:
            self.error(self.line(key), _("„%(key)s“ muss einer der Werte %(choices)s sein, nicht „%(value)s“",
                                         key=key, choices=", ".join(choices), value=value))
            return None
        return value

    def _container(self, key: str, kind: type, message: str, required: bool) -> Any:
        """The value at ``key`` if it is a ``kind``; else report it (or its absence) and return None."""
        value = self.data.get(key)
        if value is None:
            if required:
                self._missing(key)
            return None
        if not isinstance(value, kind):
            self.error(self.line(key), message)
            return None
        return value

    def mapping(self, key: str, *, required: bool = True) -> YamlMap | None:
        return self._container(key, YamlMap, _("„%(key)s“ muss eine Zuordnung (Schlüssel: Wert) sein", key=key),
                               required)

    def sequence(self, key: str, *, required: bool = True) -> YamlList | None:
        return self._container(key, YamlList, _("„%(key)s“ muss eine Liste sein", key=key), required)

    def translated(self, key: str, *, required: bool = True) -> tuple[str | None, str | None]:
        """A ``{de: …, en: …}`` pair."""
        value = self.mapping(key, required=required)
        if value is None:
            return (None, None) if required else ("", "")
        inner = _Fields(value, self.file, self.problems, ("de", "en"), _(" in „%(key)s“", key=key))
        return inner.text("de", required=required, default=""), inner.text("en", required=required, default="")


def _read_text(path: Path, file: str, problems: list[Problem]) -> str | None:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(file, None, _("Datei ist nicht in UTF-8 kodiert")))
        return None
    except OSError as exc:
        problems.append(Problem(file, None, _("Datei nicht lesbar: %(error)s", error=exc.strerror or str(exc))))
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _read_yaml_mapping(path: Path, file: str, problems: list[Problem]) -> YamlMap | None:
    text = _read_text(path, file, problems)
    if text is None:
        return None
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        problems.append(yaml_error(exc, file))
        return None
    if not isinstance(data, YamlMap):
        problems.append(Problem(file, 1, _("Die Datei muss eine Zuordnung (Schlüssel: Wert) enthalten")))
        return None
    return data


# --- facts ----------------------------------------------------------------------------------------


def replace_facts(text: str, facts: dict[str, str], file: str, line: int, problems: list[Problem]) -> str:
    """Replace ``{{ facts.KEY }}``; report unknown keys and malformed placeholders at their line."""

    def substitute(match: re.Match[str]) -> str:
        at = line + text.count("\n", 0, match.start())
        fact = FACT_PLACEHOLDER.match(match[1])
        if fact is None:
            problems.append(Problem(file, at, _("unbekannter Platzhalter „%(placeholder)s“ (erlaubt: {{ facts.SCHLÜSSEL }})",
                                                placeholder=match[0])))
            return match[0]
        if fact[1] not in facts:
            problems.append(Problem(file, at, _("unbekannter Fakt „%(key)s“ (nicht in course.yml unter facts)",
                                                key=fact[1])))
            return match[0]
        return facts[fact[1]]

    return PLACEHOLDER.sub(substitute, text)


# --- the tree -------------------------------------------------------------------------------------


def display_name(root: Path, path: Path) -> str:
    """How a file is named in messages: relative to the parent of the courses folder."""
    root = root.resolve()
    try:
        return (Path(root.name) / path.resolve().relative_to(root)).as_posix()
    except ValueError:
        return path.as_posix()


def content_hash(folder: Path) -> str:
    """SHA-256 over the relative path and bytes of every (non-hidden) file in ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(_course_files(folder), key=lambda p: p.relative_to(folder).as_posix()):
        data = path.read_bytes()
        name = path.relative_to(folder).as_posix().encode()
        digest.update(len(name).to_bytes(4, "big") + name + len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def _course_files(folder: Path) -> list[Path]:
    files = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file():
            files.append(path)
    return files


def load_framework(root: Path, problems: list[Problem]) -> FrameworkSource | None:
    path = root / COMPETENCES_FILE
    file = display_name(root, path)
    if not path.is_file():
        problems.append(Problem(file, None, _("Datei fehlt: der Kompetenzrahmen ist Pflicht")))
        return None
    data = _read_yaml_mapping(path, file, problems)
    if data is None:
        return None
    framework = FrameworkSource(file=file)
    top = _Fields(data, file, problems, ("levels", "areas"))
    levels = top.sequence("levels") or YamlList()
    for item, line in zip(levels, getattr(levels, "item_lines", []), strict=False):
        if not isinstance(item, YamlMap):
            top.error(line, _("Jede Stufe muss eine Zuordnung sein"))
            continue
        f = _Fields(item, file, problems, ("level", "key", "name", "description"), _(" in einer Stufe"))
        name_de, name_en = f.translated("name")
        description_de, description_en = f.translated("description")
        framework.levels.append(LevelSource(
            level=f.integer("level", minimum=1, maximum=4), key=_key(f, "key"),
            name_de=name_de, name_en=name_en, description_de=description_de, description_en=description_en,
            line=item.line))
    areas = top.sequence("areas") or YamlList()
    for item, line in zip(areas, getattr(areas, "item_lines", []), strict=False):
        if not isinstance(item, YamlMap):
            top.error(line, _("Jeder Kompetenzbereich muss eine Zuordnung sein"))
            continue
        f = _Fields(item, file, problems, ("key", "name", "description"), _(" in einem Kompetenzbereich"))
        name_de, name_en = f.translated("name")
        description_de, description_en = f.translated("description", required=False)
        framework.areas.append(AreaSource(
            key=_key(f, "key"), name_de=name_de, name_en=name_en,
            description_de=description_de, description_en=description_en, line=item.line))
    return framework


def _key(f: _Fields, name: str) -> str | None:
    value = f.text(name, max_length=50)
    if value is not None and not KEY.match(value):
        f.error(f.line(name), _("„%(value)s“ ist kein gültiger Schlüssel (Kleinbuchstaben, Ziffern, _)", value=value))
        return None
    return value


COURSE_KEYS = (
    "title", "summary", "version", "minutes", "audience", "awards", "validity_months", "pass_mark",
    "questions_per_attempt", "attempts_per_day", "show_solutions", "facts_as_of", "facts", "changes",
    "requires_renewal",
)


def load_course(root: Path, folder: Path, problems: list[Problem]) -> CourseSource | None:
    """Read one course folder; None when course.yml is missing or unreadable."""
    slug = folder.name
    course_path = folder / COURSE_FILE
    file = display_name(root, course_path)
    if not SLUG.match(slug) or len(slug) > 100:
        problems.append(Problem(display_name(root, folder), None, _(
            "Ordnername „%(slug)s“ ist kein gültiger Kurs-Schlüssel (Kleinbuchstaben a–z, Ziffern und -)",
            slug=slug)))
    if not course_path.is_file():
        problems.append(Problem(file, None, _("Datei fehlt: jeder Kursordner braucht eine course.yml")))
        return None
    data = _read_yaml_mapping(course_path, file, problems)
    if data is None:
        return None
    f = _Fields(data, file, problems, COURSE_KEYS)
    course = CourseSource(slug=slug, path=folder, file=file, lines=dict(data.key_lines))
    course.facts = _facts(f)
    course.title = _with_facts(f.text("title", max_length=300), course, file, f.line("title"), problems)
    course.summary = _with_facts(f.text("summary", required=False, default=""), course, file,
                                 f.line("summary"), problems) or ""
    course.audience = f.text("audience", required=False, default="", max_length=300) or ""
    version = data.get("version")
    if version is None:
        f.error(data.line, _("Pflichtangabe „version“ fehlt"))
    elif not isinstance(version, str) or parse_version(version) is None:
        f.error(f.line("version"), _("„version“ muss eine Version der Form MAJOR.MINOR.PATCH sein (z. B. 1.2.0), "
                                     "nicht „%(value)s“", value=version))
    else:
        course.version = version
    course.minutes = f.integer("minutes", minimum=1)
    course.validity_months = f.integer("validity_months", minimum=1)
    course.pass_mark = f.integer("pass_mark", minimum=1, maximum=100)
    course.questions_per_attempt = f.integer("questions_per_attempt", minimum=1)
    course.attempts_per_day = f.integer("attempts_per_day", minimum=1)
    course.show_solutions = f.choice("show_solutions", SHOW_SOLUTIONS)
    as_of = data.get("facts_as_of")
    if as_of is not None and not isinstance(as_of, date):
        f.error(f.line("facts_as_of"), _("„facts_as_of“ muss ein Datum der Form JJJJ-MM-TT sein"))
    else:
        course.facts_as_of = as_of
    awards = f.mapping("awards")
    if awards is not None:
        if not awards:
            f.error(f.line("awards"), _("„awards“ muss mindestens einen Kompetenzbereich nennen"))
        for area, level in awards.items():
            line = awards.line_of(area)
            course.award_lines[str(area)] = line
            if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 4:
                f.error(line, _("Kompetenzstufe für „%(area)s“ muss 1, 2, 3 oder 4 sein", area=area))
            else:
                course.awards[str(area)] = level
        for area, line in awards.duplicates:
            f.error(line, _("Schlüssel „%(key)s“ kommt doppelt vor", key=area))
    course.requires_renewal = bool(f.boolean("requires_renewal"))
    course.changes = _changes(f, course)
    course.modules = _load_modules(root, folder, course, problems)
    course.quiz_file = display_name(root, folder / QUIZ_FILE)
    course.questions = _load_quiz(root, folder, course, problems)
    _check_other_files(root, folder, problems)
    course.content_hash = content_hash(folder)
    return course


def _facts(f: _Fields) -> dict[str, str]:
    facts = f.mapping("facts", required=False)
    if facts is None:
        return {}
    for key, line in facts.duplicates:
        f.error(line, _("Schlüssel „%(key)s“ kommt doppelt vor", key=key))
    out = {}
    for key, value in facts.items():
        line = facts.line_of(key)
        if not isinstance(key, str) or not FACT_KEY.match(key):
            f.error(line, _("Fakt-Schlüssel „%(key)s“ ist ungültig (Buchstaben, Ziffern, _)", key=key))
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            f.error(line, _("Fakt „%(key)s“ muss ein Text sein (Datumsangaben in Anführungszeichen setzen)", key=key))
            continue
        out[key] = str(value).strip()
    return out


def _changes(f: _Fields, course: CourseSource) -> dict[str, str]:
    """``changes:`` maps versions to a note for learners (optional: the catalogue preview points out a
    new version without one); no note may name a version above the course's version."""
    changes = f.mapping("changes", required=False)
    out: dict[str, str] = {}
    if changes is not None:
        for key, line in changes.duplicates:
            f.error(line, _("Schlüssel „%(key)s“ kommt doppelt vor", key=key))
        for key, value in changes.items():
            line = changes.line_of(key)
            version = parse_version(key if isinstance(key, str) else None)
            if version is None:
                f.error(line, _("„changes“: „%(key)s“ ist keine Version der Form MAJOR.MINOR.PATCH (in "
                                "Anführungszeichen, z. B. \"1.1.0\")", key=key))
                continue
            if not isinstance(value, str) or not value.strip():
                f.error(line, _("„changes“: die Notiz zu Version %(version)s muss ein nicht leerer Text sein",
                                version=key))
                continue
            current = parse_version(course.version)
            if current is not None and version > current:
                f.error(line, _("„changes“ nennt Version %(version)s, die höher ist als die Kursversion "
                                "%(current)s", version=key, current=course.version))
                continue
            out[key] = value.strip()
    return out


def _with_facts(text: str | None, course: CourseSource, file: str, line: int,
                problems: list[Problem]) -> str | None:
    if text is None:
        return None
    return replace_facts(text, course.facts, file, line, problems)


def _split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line where the body starts) or None without front matter."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2
    return None


def _load_modules(root: Path, folder: Path, course: CourseSource, problems: list[Problem]) -> list[ModuleSource]:
    modules = []
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".md" and p.is_file()
                   and not p.name.startswith("."))
    for path in paths:
        file = display_name(root, path)
        if not MODULE_FILE.match(path.name):
            problems.append(Problem(file, None, _(
                "Modul-Dateiname muss „NN-name.md“ lauten (zwei Ziffern, Bindestrich, Kleinbuchstaben)")))
            continue
        text = _read_text(path, file, problems)
        if text is None:
            continue
        split = _split_front_matter(text)
        if split is None:
            problems.append(Problem(file, 1, _("Front Matter fehlt: die Datei muss mit „---“, title und minutes "
                                               "und einem schließenden „---“ beginnen")))
            continue
        front, body, body_line = split
        try:
            data = load_yaml(front, line_offset=1)
        except yaml.YAMLError as exc:
            problems.append(yaml_error(exc, file, line_offset=1))
            continue
        if not isinstance(data, YamlMap):
            problems.append(Problem(file, 2, _("Front Matter muss title und minutes enthalten")))
            continue
        f = _Fields(data, file, problems, ("title", "minutes", "acknowledge", "key"), _(" im Front Matter"))
        key = f.text("key", required=False, max_length=200)
        if key is None:
            key = MODULE_FILE.match(path.name)[2]  # type: ignore[index]  # matched above
        elif not SLUG.match(key):
            f.error(f.line("key"), _("Modul-Schlüssel „%(key)s“ ist ungültig (Kleinbuchstaben a–z, Ziffern und -)",
                                     key=key))
            key = None
        title = _with_facts(f.text("title", max_length=300), course, file, f.line("title"), problems)
        body = replace_facts(body, course.facts, file, body_line, problems)
        if not body.strip():
            problems.append(Problem(file, body_line, _("Das Modul hat keinen Text")))
        modules.append(ModuleSource(
            slug=path.stem, key=key, position=len(modules) + 1, title=title,
            minutes=f.integer("minutes", minimum=1), acknowledge=bool(f.boolean("acknowledge")),
            body=body, file=file, path=path, line=1, body_line=body_line,
        ))
    return modules


QUESTION_KEYS = ("id", "type", "area", "prompt", "options", "correct", "explanation", "source")


def _load_quiz(root: Path, folder: Path, course: CourseSource, problems: list[Problem]) -> list[QuestionSource]:
    path = folder / QUIZ_FILE
    file = course.quiz_file
    if not path.is_file():
        problems.append(Problem(file, None, _("Datei fehlt: jeder Kurs braucht einen Fragenpool quiz.yml")))
        return []
    data = _read_yaml_mapping(path, file, problems)
    if data is None:
        return []
    top = _Fields(data, file, problems, ("questions",))
    items = top.sequence("questions")
    if items is None:
        return []
    course.quiz_loaded = True
    questions = []
    for item, line in zip(items, items.item_lines, strict=True):
        if not isinstance(item, YamlMap):
            top.error(line, _("Jede Frage muss eine Zuordnung sein"))
            continue
        questions.append(_load_question(item, file, course, problems))
    return questions


def _load_question(item: YamlMap, file: str, course: CourseSource, problems: list[Problem]) -> QuestionSource:
    f = _Fields(item, file, problems, QUESTION_KEYS)
    key = f.text("id", max_length=100)
    if key is not None and not QUESTION_ID.match(key):
        f.error(f.line("id"), _("Frage-ID „%(id)s“ ist ungültig (Kleinbuchstaben, Ziffern, -, _, .)", id=key))
        key = None
    kind = f.choice("type", QUESTION_TYPES)
    question = QuestionSource(
        key=key, type=kind, area=f.text("area", max_length=50),
        prompt=_with_facts(f.text("prompt"), course, file, f.line("prompt"), problems),
        explanation=_with_facts(f.text("explanation"), course, file, f.line("explanation"), problems),
        source=_with_facts(f.text("source", max_length=500), course, file, f.line("source"), problems),
        options=[], correct=None, file=file, line=item.line,
        lines={k: f.line(k) for k in ("id", "prompt", "explanation", "source", "options", "area")},
    )
    if kind == "true_false":
        if "options" in item:
            f.error(f.line("options"), _("true_false-Fragen haben keine options, sondern „correct: true“ "
                                         "oder „correct: false“"))
        question.correct = f.boolean("correct", default=None, required=True)
        return question
    if "correct" in item and kind is not None:
        f.error(f.line("correct"), _("„correct“ gehört bei %(type)s-Fragen an die einzelnen Optionen", type=kind))
    options = f.sequence("options")
    if options is None:
        question.options = None
        return question
    for option, line in zip(options, options.item_lines, strict=True):
        if not isinstance(option, YamlMap):
            f.error(line, _("Jede Option muss eine Zuordnung mit „text“ sein"))
            continue
        of = _Fields(option, file, problems, ("text", "correct"), _(" in einer Option"))
        text = option.get("text")
        if isinstance(text, int | float) and not isinstance(text, bool):
            text = str(text)
            option["text"] = text
        question.options.append(OptionSource(
            text=_with_facts(of.text("text", max_length=2000), course, file, line, problems),
            is_correct=bool(of.boolean("correct")), line=line))
    return question


def _check_other_files(root: Path, folder: Path, problems: list[Problem]) -> None:
    """YAML files other than course.yml and quiz.yml are most likely a typo (quiz.yaml, Course.yml)."""
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix.lower() in (".yml", ".yaml") and path.name not in (COURSE_FILE, QUIZ_FILE):
            problems.append(Problem(display_name(root, path), None, _(
                "unbekannte Datei: erwartet werden course.yml und quiz.yml")))


def course_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def load_catalog(root: Path) -> tuple[CatalogSource, list[Problem]]:
    """Read the whole courses folder: the competence framework and every course."""
    problems: list[Problem] = []
    root = Path(root)
    catalog = CatalogSource(root=root)
    if not root.is_dir():
        problems.append(Problem(root.as_posix(), None, _("Kursordner nicht gefunden")))
        return catalog, problems
    catalog.framework = load_framework(root, problems)
    for folder in course_folders(root):
        course = load_course(root, folder, problems)
        if course is not None:
            catalog.courses.append(course)
    return catalog, problems
