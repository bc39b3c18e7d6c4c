"""A small, valid courses folder for tests, and helpers to break it."""

from __future__ import annotations

import base64
from pathlib import Path

#: a 1×1 transparent PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)

COMPETENCES = """\
levels:
  - level: 1
    key: kennen
    name: {de: Kennen, en: Know}
    description: {de: Kennt Begriffe., en: Knows terms.}
  - level: 2
    key: anwenden
    name: {de: Anwenden, en: Apply}
    description: {de: Wendet an., en: Applies.}
  - level: 3
    key: bewerten
    name: {de: Bewerten, en: Assess}
    description: {de: Bewertet., en: Assesses.}
  - level: 4
    key: gestalten
    name: {de: Gestalten, en: Shape}
    description: {de: Gestaltet., en: Shapes.}
areas:
  - key: grundlagen
    name: {de: Grundlagen, en: Basics}
    description: {de: Was KI ist., en: What AI is.}
  - key: recht
    name: {de: Recht, en: Law}
    description: {de: KI-Verordnung., en: AI Act.}
"""

COURSE = """\
title: Testkurs
summary: Ein Kurs für Tests, Stand {{ facts.stand }}.
version: 1.0.0
minutes: 20
audience: Alle Beschäftigten
awards:
  grundlagen: 1
  recht: 2
validity_months: 24
pass_mark: 80
questions_per_attempt: 3
attempts_per_day: 3
show_solutions: after_pass
facts_as_of: 2026-11-25
facts:
  stand: "25. November 2026"
  frist: "2. Februar 2025"
"""

MODULE_1 = """\
---
title: Einführung
minutes: 8
---

Die Pflicht gilt seit dem {{ facts.frist }}.

## Ein Abschnitt

![Ein Diagramm](img/diagramm.png)

| Begriff | Bedeutung |
|:--|--:|
| KI | Künstliche Intelligenz |

Mehr bei [EUR-Lex](https://eur-lex.europa.eu/) oder per [E-Mail](mailto:ki@stadt.example).
"""

MODULE_2 = """\
---
title: Leitlinie
minutes: 12
acknowledge: true
---

Die Leitlinie der Verwaltung.
"""

QUIZ = """\
questions:
  - id: q-001
    type: single
    area: grundlagen
    prompt: Was ist **richtig**?
    options:
      - text: Antwort A
        correct: true
      - text: Antwort B
      - text: Antwort C
    explanation: Weil A stimmt.
    source: Kursmodul 1

  - id: q-002
    type: multiple
    area: recht
    prompt: Welche gelten seit dem {{ facts.frist }}?
    options:
      - text: Art. 4
        correct: true
      - text: Art. 5
        correct: true
      - text: Art. 50
    explanation: Art. 4 und 5 gelten seit Februar 2025.
    source: Art. 113 KI-Verordnung

  - id: q-003
    type: true_false
    area: grundlagen
    prompt: Sprachmodelle nennen immer ihre Quellen.
    correct: false
    explanation: Sie erfinden mitunter Quellen.
    source: Kursmodul 1

  - id: q-004
    type: single
    area: recht
    prompt: Wer ist Betreiber?
    options:
      - text: Die Stadt
        correct: true
      - text: Der Hersteller
    explanation: Die Stadt setzt das System ein.
    source: Art. 3 Nr. 4 KI-Verordnung
"""


class Tree:
    """The folder ``<tmp>/courses`` with one course ``testkurs``."""

    def __init__(self, base: Path) -> None:
        self.root = base / "courses"
        self.course = self.root / "testkurs"
        (self.course / "img").mkdir(parents=True)
        self.write("competences.yml", COMPETENCES)
        self.write("testkurs/course.yml", COURSE)
        self.write("testkurs/01-einfuehrung.md", MODULE_1)
        self.write("testkurs/02-leitlinie.md", MODULE_2)
        self.write("testkurs/quiz.yml", QUIZ)
        (self.course / "img" / "diagramm.png").write_bytes(PNG)

    def path(self, name: str) -> Path:
        return self.root / name

    def read(self, name: str) -> str:
        return self.path(name).read_text(encoding="utf-8")

    def write(self, name: str, text: str) -> None:
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def replace(self, name: str, old: str, new: str) -> None:
        text = self.read(name)
        assert old in text, f"{old!r} not in {name}"
        self.write(name, text.replace(old, new, 1))

    def line_of(self, name: str, needle: str) -> int:
        """1-based line of the first occurrence of ``needle`` in the file."""
        for number, line in enumerate(self.read(name).splitlines(), start=1):
            if needle in line:
                return number
        raise AssertionError(f"{needle!r} not in {name}")

    def clean_quiz(self) -> None:
        """Replace the pool by :data:`CLEAN_QUIZ`: the folder then passes every check, cues included."""
        self.write("testkurs/quiz.yml", CLEAN_QUIZ)

    def add_course(self, slug: str) -> None:
        """A second valid course (a copy of testkurs)."""
        for path in self.course.rglob("*"):
            if path.is_file():
                target = self.root / slug / path.relative_to(self.course)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())


#: a pool without test-wiseness cues (lms.catalog.cues): correct options neither longest nor first as a
#: rule, lengths balanced, no absolute words, true/false balanced, at least twice the draw of 3
CLEAN_QUIZ = """\
questions:
  - id: q-001
    type: single
    area: grundlagen
    prompt: Was beschreibt ein Sprachmodell am besten?
    options:
      - text: Ein Lexikon mit festen Einträgen
      - text: Ein Modell für Fortsetzungen
        correct: true
      - text: Eine Datenbank geprüfter Fakten
    explanation: Es setzt Texte wahrscheinlich fort.
    source: Kursmodul 1

  - id: q-002
    type: multiple
    area: recht
    prompt: Welche Artikel gelten seit dem {{ facts.frist }}?
    options:
      - text: Art. 50
      - text: Art. 4
        correct: true
      - text: Art. 5
        correct: true
    explanation: Art. 4 und 5 gelten seit Februar 2025.
    source: Art. 113 KI-Verordnung

  - id: q-003
    type: true_false
    area: grundlagen
    prompt: Chatbots erfinden mitunter Quellenangaben.
    correct: true
    explanation: Sie erzeugen plausible, aber erfundene Angaben.
    source: Kursmodul 1

  - id: q-004
    type: single
    area: recht
    prompt: Wer betreibt das Bürgerportal im Sinne der Verordnung?
    options:
      - text: Der Softwarehersteller
      - text: Die Cloud-Anbieterin
      - text: Die Stadtverwaltung
        correct: true
    explanation: Die Stadt setzt das System in eigener Verantwortung ein.
    source: Art. 3 Nr. 4 KI-Verordnung

  - id: q-005
    type: single
    area: grundlagen
    prompt: Woran erkennt man Halluzinationen zuverlässig?
    options:
      - text: Am Abgleich mit Quellen
        correct: true
      - text: An einem Warnhinweis im Text
      - text: An der Länge der Ausgabe
    explanation: Nur ein Abgleich mit Quellen zeigt erfundene Angaben.
    source: Kursmodul 1

  - id: q-006
    type: true_false
    area: recht
    prompt: Die Kompetenzpflicht betrifft Anbieter allein.
    correct: false
    explanation: Sie gilt auch für Betreiber wie die Stadt.
    source: Art. 4 KI-Verordnung

  - id: q-007
    type: single
    area: recht
    prompt: Welches Dokument regelt den Einsatz in der Kommune intern?
    options:
      - text: Die Geschäftsordnung des Rates
      - text: Die interne KI-Leitlinie
        correct: true
      - text: Das Impressum der Webseite
    explanation: Die Leitlinie regelt Zwecke, Daten und Zuständigkeiten.
    source: Kursmodul 2
"""
