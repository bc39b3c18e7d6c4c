"""Check a courses folder: everything a mistake in the files could break.

:func:`lint` reads the folder with :mod:`lms.catalog.loader` (schema, types, facts) and adds the
checks across elements: unique keys and ids, known competence areas, correct options, pool size,
Markdown that renders without forbidden HTML, links and images that resolve inside the course folder;
and the test-wiseness cues of the question pools (:mod:`lms.catalog.cues`). Pure: reads files, never the database. The checks are listed in ``docs/course-format.md``.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask_babel import gettext as _

from lms import markdown
from lms.catalog.cues import CueReport, check_cues
from lms.catalog.loader import (
    CatalogSource,
    CourseSource,
    FrameworkSource,
    Problem,
    QuestionSource,
    load_catalog,
)

#: image files a course may contain and the asset route serves
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
#: attributes Python-Markdown itself writes; anything else in raw HTML is reported
_H1 = re.compile(r"^ {0,3}#(?!#)", re.M)
_MARKDOWN_ATTRIBUTES = {"href", "title", "src", "alt", "align", "start", "class", "width", "height"}


@dataclass
class LintResult:
    catalog: CatalogSource
    #: errors that break an import (the import refuses the whole folder on any of them)
    problems: list[Problem]
    #: test-wiseness cues (:mod:`lms.catalog.cues`): pool errors fail ``lms courses lint`` but do not
    #: block an import; item warnings are advice
    cues: CueReport = field(default_factory=CueReport)

    @property
    def ok(self) -> bool:
        """Nothing breaks an import (cue errors aside: see :attr:`clean`)."""
        return not self.problems

    @property
    def clean(self) -> bool:
        """Neither an import error nor a cue error: what ``lms courses lint`` exits 0 on."""
        return not self.problems and not self.cues.errors

    @property
    def counts(self) -> tuple[int, int, int]:
        """(courses, modules, questions) found in the files."""
        courses = self.catalog.courses
        return (len(courses), sum(len(c.modules) for c in courses), sum(len(c.questions) for c in courses))

    def summary(self) -> str:
        courses, modules, questions = self.counts
        return _("%(courses)d Kurse, %(modules)d Module, %(questions)d Fragen", courses=courses,
                 modules=modules, questions=questions)


def lint(root: Path | str) -> LintResult:
    """Read and check the courses folder ``root``; problems sorted by file and line."""
    catalog, problems = load_catalog(Path(root))
    areas: set[str] = set()
    if catalog.framework is not None:
        problems += check_framework(catalog.framework)
        areas = {a.key for a in catalog.framework.areas if a.key}
    for course in catalog.courses:
        problems += check_course(course, areas if catalog.framework is not None else None)
    unique = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message))
    return LintResult(catalog, unique, check_cues(catalog.courses))


def check_framework(framework: FrameworkSource) -> list[Problem]:
    problems = []
    file = framework.file
    levels: set[int] = set()
    for level in framework.levels:
        if level.level is not None and level.level in levels:
            problems.append(Problem(file, level.line, _("Stufe %(level)d ist mehrfach definiert", level=level.level)))
        elif level.level is not None:
            levels.add(level.level)
    missing = sorted({1, 2, 3, 4} - set(levels))
    if framework.levels and missing:
        problems.append(Problem(file, None, _("Stufen fehlen: %(levels)s (erwartet 1 bis 4)",
                                              levels=", ".join(map(str, missing)))))
    problems += _duplicates(file, [(lv.key, lv.line) for lv in framework.levels], _("Stufen-Schlüssel"))
    problems += _duplicates(file, [(a.key, a.line) for a in framework.areas], _("Kompetenzbereich"))
    if not framework.areas:
        problems.append(Problem(file, None, _("Es ist kein Kompetenzbereich definiert")))
    return problems


def _duplicates(file: str, keyed: list[tuple[str | None, int]], what: str) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for key, line in keyed:
        if key is None:
            continue
        if key in seen:
            problems.append(Problem(file, line, _("%(what)s „%(key)s“ kommt doppelt vor (zuerst in Zeile %(first)d)",
                                                  what=what, key=key, first=seen[key])))
        else:
            seen[key] = line
    return problems


def check_course(course: CourseSource, areas: set[str] | None) -> list[Problem]:
    """Checks across one course's files. ``areas`` None: the framework is missing (reported already)."""
    problems: list[Problem] = []
    if areas is not None:
        for area in course.award_lines:
            if area not in areas:
                problems.append(Problem(course.file, course.award_lines[area], _(
                    "unbekannter Kompetenzbereich „%(area)s“ (nicht in competences.yml)", area=area)))
    problems += check_modules(course)
    problems += check_questions(course, areas)
    return problems


def check_modules(course: CourseSource) -> list[Problem]:
    problems = []
    if not course.modules and not any(p.suffix == ".md" for p in course.path.iterdir()):
        problems.append(Problem(course.file, None, _("Der Kurs hat kein Modul (Dateien NN-name.md)")))
    numbers: dict[str, str] = {}
    keys: dict[str, str] = {}
    for module in course.modules:
        if module.key is not None:
            if module.key in keys:
                problems.append(Problem(module.file, None, _(
                    "Modul-Schlüssel „%(key)s“ ist schon vergeben (%(other)s): der Fortschritt der Lernenden "
                    "folgt diesem Schlüssel", key=module.key, other=keys[module.key])))
            else:
                keys[module.key] = module.file
        number = module.slug[:2]
        if number in numbers:
            problems.append(Problem(module.file, None, _(
                "Modulnummer %(number)s ist schon vergeben (%(other)s)", number=number, other=numbers[number])))
        else:
            numbers[number] = module.file
        problems += check_markdown(module.body, course, module.file, module.body_line)
    return problems


def check_questions(course: CourseSource, areas: set[str] | None) -> list[Problem]:
    problems = []
    file = course.quiz_file
    problems += _duplicates(file, [(q.key, q.lines.get("id", q.line)) for q in course.questions], _("Frage-ID"))
    for question in course.questions:
        problems += check_question(question, course, areas)
    draw = course.questions_per_attempt
    if draw is not None and course.quiz_loaded and len(course.questions) < draw:
        problems.append(Problem(course.file, course.lines.get("questions_per_attempt"), _(
            "Der Fragenpool hat %(pool)d Fragen, es sollen aber %(draw)d je Versuch gezogen werden",
            pool=len(course.questions), draw=draw)))
    return problems


def check_question(question: QuestionSource, course: CourseSource, areas: set[str] | None) -> list[Problem]:
    problems = []
    file = question.file
    label = question.key or "?"
    if areas is not None and question.area is not None and question.area not in areas:
        problems.append(Problem(file, question.lines.get("area", question.line), _(
            "Frage %(id)s: unbekannter Kompetenzbereich „%(area)s“ (nicht in competences.yml)",
            id=label, area=question.area)))
    if question.type in ("single", "multiple") and question.options is not None:
        options = question.options
        correct = sum(1 for o in options if o.is_correct)
        line = question.lines.get("options", question.line)
        if len(options) < 2:
            problems.append(Problem(file, line, _("Frage %(id)s: mindestens zwei Optionen nötig", id=label)))
        if question.type == "single" and correct != 1:
            problems.append(Problem(file, line, _(
                "Frage %(id)s: eine single-Frage braucht genau eine richtige Option (markiert: %(n)d)",
                id=label, n=correct)))
        if question.type == "multiple" and correct < 1:
            problems.append(Problem(file, line, _(
                "Frage %(id)s: eine multiple-Frage braucht mindestens eine richtige Option", id=label)))
        seen: set[str] = set()
        for option in options:
            normalised = " ".join((option.text or "").split()).casefold()
            if normalised and normalised in seen:
                problems.append(Problem(file, option.line, _("Frage %(id)s: Option kommt doppelt vor", id=label)))
            seen.add(normalised)
        for option in options:
            if option.text:
                problems += check_markdown(option.text, course, file, option.line)
    for name in ("prompt", "explanation"):
        text = getattr(question, name)
        if text:
            problems += check_markdown(text, course, file, question.lines.get(name, question.line))
    phrases = positional_references(question.explanation or "")
    if phrases:
        key_line = question.lines.get("explanation", question.line)
        problems.append(Problem(file, _phrase_line(course.path / "quiz.yml", phrases[0], key_line), _(
            "Frage %(id)s: Die Erklärung verweist auf die Stelle von Antworten (%(phrases)s), aber die "
            "Antworten werden für jede Person neu gemischt; nennen Sie den Inhalt der Antwort statt ihrer Stelle",
            id=label, phrases=", ".join(f"„{p}“" for p in phrases))))
    return problems


# --- References to the position of an option -------------------------------------------------------

#: nouns that name an answer option (with plural and compound endings)
_OPTION = (r"(?:Antwort(?:möglichkeit|option|alternative)?|Aussage|Option|Auswahl(?:möglichkeit)?|Möglichkeit"
           r"|Alternative|Variante|Prompt|Formulierung)(?:en|n|s)?")
#: adjectives of position, inflected ("dritte", "letzten", "oberste")
_ORDINAL = (r"(?:erst|zweit|dritt|viert|fünft|sechst|siebt|letzt|vorletzt|ober|unter|oberst|unterst|mittler)"
            r"(?:e|er|en|es|em)")
#: a word that may stand between position and noun ("die letzten beiden Aussagen")
_BETWEEN = r"(?:beiden|zwei|drei|vier|genannten?|aufgeführten?|richtigen?|falschen?|anderen?|übrigen?)"
#: a letter or digit naming an option: "B", "2", "(b)" (a lower-case letter only in brackets)
_LABEL = r"(?:\(?[A-H1-9]\)?|\([a-h]\))(?![\w])"
_NUMBER_WORD = r"(?:beiden|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|\d+|mal)"
_POSITIONAL = re.compile("|".join(f"(?:{p})" for p in (
    # "die dritte Antwort", "der letzten beiden Aussagen", "die erste Option" (the noun is capitalised)
    rf"\b(?i:{_ORDINAL})\s+(?:(?i:{_BETWEEN})\s+)?{_OPTION}\b",
    # "Der erste ist zu unbestimmt, der zweite …": the ordinal without a noun stands for an option
    rf"\b(?i:der|die|das|den|dem)\s+{_ORDINAL}(?=\s+(?!{_NUMBER_WORD}\b)[a-zäöüß])",
    # "Antwort B", "Option 2", "Aussagen A und C", "Antwort Nr. 3", "Möglichkeit (b)"
    rf"\b(?i:{_OPTION})\s+(?:(?:Nr\.|Nummer)\s*)?{_LABEL}",
    # "oben genannte Antwort", "die untenstehende Aussage", "obige Option", "die vorige Antwort"
    rf"\b(?i:oben|unten)[\s-]*(?i:genannt|stehend|aufgeführt|aufgelistet|angegeben|angeführt)(?i:e|er|en|es|em)"
    rf"\s+(?:(?i:{_BETWEEN})\s+)?{_OPTION}\b",
    rf"\b(?i:obig|vorig|vorherig|darüberstehend|darunterstehend)(?:e|er|en|es|em)\s+(?:(?i:{_BETWEEN})\s+)?"
    rf"{_OPTION}\b",
    r"\b(?i:alle|keine)\s+(?:(?i:der)\s+)?(?i:oben\s*genannten|obigen)\b",
    # "A ist richtig", "B und C sind falsch"
    r"(?<![\w.-])[A-F](?:\s*(?:,|und|oder)\s*[A-F])*\)?\s+(?:ist|sind|wäre|wären)\s+"
    r"(?:richtig|falsch|korrekt|zutreffend|unzutreffend)\b",
    # the same in English
    r"\b(?i:first|second|third|fourth|fifth|last|top|bottom)\s+(?i:answer|option|statement|choice|prompt)s?\b",
    rf"\b(?i:answer|option|choice|statement)s?\s+{_LABEL}",
    r"\b(?i:above|below)[- ]mentioned\b|\b(?i:all|none) of the above\b",
)))


def positional_references(text: str) -> list[str]:
    """The phrases in ``text`` that name an option by its position ("die dritte Antwort", "Antwort B",
    "oben genannte Aussage", "der zweite …"), in order, each once.

    Options are shuffled for every learner, so such a phrase in an explanation points to the wrong
    option for most of them. Positions of other things ("im dritten Schritt", "Art. 3") are fine.
    """
    phrases = [" ".join(match.group(0).split()) for match in _POSITIONAL.finditer(text)]
    return list(dict.fromkeys(phrases))


def _phrase_line(path: Path, phrase: str, key_line: int) -> int:
    """The line of ``phrase`` in the file, searched from ``key_line`` on (YAML may fold it across
    lines); ``key_line`` when it is not there verbatim (e.g. it came from a fact)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return key_line
    start = sum(len(line) for line in text.splitlines(keepends=True)[:key_line - 1])
    pattern = re.compile(r"\s+".join(re.escape(word) for word in phrase.split()))
    match = pattern.search(text, start)
    return key_line + text.count("\n", start, match.start()) if match else key_line


# --- Markdown -------------------------------------------------------------------------------------


class _Collector(HTMLParser):
    """Collect tags, attributes, text and markup sections of HTML (raw from Markdown, or sanitised).

    Text inside elements the sanitiser removes with their content (``<script>`` …) is not collected:
    those elements are reported on their own.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.words: list[str] = []
        #: ``<![CDATA[…]]>`` and other marked sections, ``<?…>`` processing instructions
        self.sections: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag in markdown.CLEAN_CONTENT_TAGS:
            self._skip += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in markdown.CLEAN_CONTENT_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.words += data.split()

    def unknown_decl(self, data: str) -> None:
        self.sections.append(f"<![{data.split('[', 1)[0]}[")

    def handle_pi(self, data: str) -> None:
        self.sections.append("<?")


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


#: where an element must stand for the HTML parser to keep it (table parts outside a table vanish)
_CONTEXT = {
    "td": ("<table><tbody><tr>", "</tr></tbody></table>"),
    "th": ("<table><tbody><tr>", "</tr></tbody></table>"),
    "tr": ("<table><tbody>", "</tbody></table>"),
    "thead": ("<table>", "</table>"),
    "tbody": ("<table>", "</table>"),
    "tfoot": ("<table>", "</table>"),
    "caption": ("<table>", "</table>"),
}
#: attributes the sanitiser rewrites on purpose, or that other checks report with a better message
_UNCOMPARED = {("a", "rel"), ("a", "href"), ("img", "src")}


def sanitised_attributes(tag: str, attrs: dict[str, str | None]) -> dict[str, str | None]:
    """The attributes an element keeps through the sanitiser (the element alone, in its context)."""
    before, after = _CONTEXT.get(tag, ("", ""))
    markup = "".join(f' {name}="{escape(value or "", quote=True)}"' for name, value in attrs.items())
    element = f"<{tag}{markup}>x</{tag}>" if tag not in ("img", "br", "hr") else f"<{tag}{markup}>"
    cleaned = _parse(markdown.sanitise(before + element + after))
    for cleaned_tag, cleaned_attrs in cleaned.elements:
        if cleaned_tag == tag:
            return cleaned_attrs
    return {}


def sanitiser_changes(text: str, html: str, file: str, line: int, elements: _Collector) -> list[Problem]:
    """What the sanitiser would change silently in HTML that passed the element and attribute checks:
    attribute values it drops or alters, markup sections it removes, text it loses or adds."""
    problems = []
    for tag, attrs in elements.elements:
        if tag not in markdown.ALLOWED_TAGS:
            continue
        kept_names = {n for n in attrs if n in _MARKDOWN_ATTRIBUTES or n in markdown.ALLOWED_ATTRIBUTES.get(tag, ())}
        compared = {n: attrs[n] for n in kept_names if (tag, n) not in _UNCOMPARED}
        if not compared:
            continue
        kept = sanitised_attributes(tag, compared)
        for name, value in sorted(compared.items()):
            if name not in kept:
                problems.append(Problem(file, _line_of(text, f"{name}=", line), _(
                    "HTML-Attribut „%(attr)s=\"%(value)s\"“ an <%(tag)s>: dieser Wert ist nicht erlaubt, das "
                    "Attribut wird beim Import entfernt", attr=name, value=value or "", tag=tag)))
            elif kept[name] != value:
                problems.append(Problem(file, _line_of(text, f"{name}=", line), _(
                    "HTML-Attribut „%(attr)s“ an <%(tag)s> wird beim Import von „%(value)s“ zu „%(new)s“ "
                    "geändert", attr=name, tag=tag, value=value or "", new=kept[name] or "")))
    for section in elements.sections:
        problems.append(Problem(file, _line_of(text, section, line), _(
            "„%(markup)s…“ gibt es in HTML-Seiten nicht: der Abschnitt wird beim Import samt Inhalt entfernt",
            markup=section)))
    if not problems:
        cleaned = _parse(markdown.sanitise(html))
        lost = Counter(elements.words) - Counter(cleaned.words)
        added = Counter(cleaned.words) - Counter(elements.words)
        if lost or added:
            if lost:
                problems.append(Problem(file, _line_of(text, next(iter(lost)), line), _(
                    "Die HTML-Bereinigung entfernt beim Import diesen Text: „%(text)s“; bitte einfaches "
                    "Markdown verwenden", text=" ".join(lost.elements())[:80])))
            else:
                problems.append(Problem(file, line, _(
                    "Die HTML-Bereinigung ändert beim Import den Text (neu: „%(text)s“); bitte einfaches "
                    "Markdown verwenden", text=" ".join(added.elements())[:80])))
    return problems


def _line_of(text: str, needle: str, first_line: int) -> int:
    index = text.find(needle) if needle else -1
    return first_line + text.count("\n", 0, index) if index >= 0 else first_line


def check_markdown(text: str, course: CourseSource, file: str, line: int) -> list[Problem]:
    """Markdown renders; no forbidden HTML; no H1 in modules; links and images resolve."""
    try:
        html = markdown.raw_html(text)
    except Exception as exc:  # noqa: BLE001 - any failure of the renderer is a content error
        return [Problem(file, line, _("Markdown lässt sich nicht umwandeln: %(error)s", error=exc))]
    collector = _parse(html)
    problems = []
    for tag, attrs in collector.elements:
        if tag == "h1":
            match = _H1.search(text)
            at = line + text.count("\n", 0, match.start()) if match else line
            problems.append(Problem(file, at, _(
                "Überschrift der Ebene 1 (#) ist dem Modultitel vorbehalten; beginnen Sie mit ##")))
            continue
        if tag not in markdown.ALLOWED_TAGS:
            problems.append(Problem(file, _line_of(text, f"<{tag}", line), _(
                "HTML-Element <%(tag)s> ist nicht erlaubt und wird beim Import entfernt", tag=tag)))
            continue
        for name in attrs:
            if name not in _MARKDOWN_ATTRIBUTES and name not in markdown.GENERIC_ATTRIBUTES \
                    and name not in markdown.ALLOWED_ATTRIBUTES.get(tag, ()):
                problems.append(Problem(file, _line_of(text, name, line), _(
                    "HTML-Attribut „%(attr)s“ an <%(tag)s> ist nicht erlaubt und wird beim Import entfernt",
                    attr=name, tag=tag)))
        lang = attrs.get("lang")
        if lang is not None and not markdown.valid_lang(lang):
            problems.append(Problem(file, _line_of(text, f'lang="{lang}"', line), _(
                "Sprachangabe lang=„%(lang)s“ ist kein gültiger Sprachcode (BCP 47 mit ISO-639-1-Sprache, "
                "z. B. en, fr, en-GB) und wird beim Import entfernt", lang=lang)))
        if tag == "a":
            problems += _check_link(attrs.get("href"), text, course, file, line)
        elif tag == "img":
            problems += _check_image(attrs, text, course, file, line)
    if not problems:  # anything else the sanitiser would change without a word
        problems += sanitiser_changes(text, html, file, line, collector)
    return problems


def _check_link(href: str | None, text: str, course: CourseSource, file: str, line: int) -> list[Problem]:
    if href is None:
        return []
    at = _line_of(text, href, line)
    value = href.strip()
    if value.startswith("#"):
        return []
    parts = urlsplit(value)
    if parts.scheme:
        if parts.scheme.lower() not in markdown.URL_SCHEMES:
            return [Problem(file, at, _("Link „%(url)s“: nur http, https, mailto und relative Links sind erlaubt",
                                        url=href))]
        return []
    if value.startswith(("/", "\\")) or parts.netloc:
        return [Problem(file, at, _("Link „%(url)s“: absolute Pfade sind nicht erlaubt; verlinken Sie eine Datei "
                                    "im Kursordner relativ oder eine vollständige https-Adresse", url=href))]
    return _check_relative(value, course, file, at, _("Link"))


def _check_image(attrs: dict[str, str | None], text: str, course: CourseSource, file: str,
                 line: int) -> list[Problem]:
    src = (attrs.get("src") or "").strip()
    at = _line_of(text, src, line) if src else line
    problems = []
    if not (attrs.get("alt") or "").strip():
        problems.append(Problem(file, at, _("Bild „%(src)s“ ohne Alternativtext: ![Beschreibung](pfad)", src=src)))
    if not src:
        return problems
    if not markdown.is_relative(src):
        problems.append(Problem(file, at, _(
            "Bild „%(src)s“: nur Bilder aus dem Kursordner sind erlaubt (relativer Pfad, z. B. img/bild.png)",
            src=src)))
        return problems
    return problems + _check_relative(src, course, file, at, _("Bild"))


def _check_relative(url: str, course: CourseSource, file: str, line: int, what: str) -> list[Problem]:
    """A relative URL must name an image file inside the course folder (the asset route serves no more)."""
    path = posixpath.normpath(unquote(urlsplit(url).path))
    if path.startswith("../") or path == ".." or "\\" in url:
        return [Problem(file, line, _("%(what)s „%(url)s“ zeigt aus dem Kursordner hinaus", what=what, url=url))]
    if Path(path).suffix.lower() not in IMAGE_TYPES:
        return [Problem(file, line, _(
            "%(what)s „%(url)s“: im Kursordner können nur Bilder (%(types)s) verlinkt werden",
            what=what, url=url, types=", ".join(sorted(IMAGE_TYPES))))]
    target = (course.path / path).resolve()
    folder = course.path.resolve()
    if folder not in target.parents or not target.is_file():
        return [Problem(file, line, _("%(what)s „%(url)s“: Datei nicht gefunden", what=what, url=url))]
    return []

