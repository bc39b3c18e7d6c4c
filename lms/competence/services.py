"""The competence framework in the database, kept equal to ``courses/competences.yml``.

Adds and flushes; the caller commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from lms import db
from lms.catalog.loader import FrameworkSource
from lms.competence.models import CompetenceArea, CompetenceLevel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FrameworkChanges:
    areas_created: int = 0
    areas_updated: int = 0
    levels_created: int = 0
    levels_updated: int = 0

    @property
    def changed(self) -> bool:
        return any((self.areas_created, self.areas_updated, self.levels_created, self.levels_updated))


def sync_framework(framework: FrameworkSource) -> FrameworkChanges:
    """Upsert areas (by key) and levels (by number) from a linted framework.

    Areas missing from the file stay in the database: questions of older course versions refer to
    them. Their position is left as it was.
    """
    counts: dict[str, int] = {}

    def texts(source: object) -> dict[str, object]:
        return {"name_de": source.name_de, "name_en": source.name_en,  # type: ignore[attr-defined]
                "description_de": source.description_de or "",  # type: ignore[attr-defined]
                "description_en": source.description_en or ""}  # type: ignore[attr-defined]

    area_rows = [(s.key, {"key": s.key, "position": i, **texts(s)}) for i, s in enumerate(framework.areas, 1)]
    level_rows = [(s.level, {"level": s.level, "key": s.key, **texts(s)}) for s in framework.levels]
    counts["areas_created"], counts["areas_updated"] = _upsert(CompetenceArea, CompetenceArea.key, area_rows)
    counts["levels_created"], counts["levels_updated"] = _upsert(CompetenceLevel, CompetenceLevel.level,
                                                                 level_rows)
    db.session.flush()
    changes = FrameworkChanges(**counts)
    if changes.changed:
        log.info("competence framework synchronised: %s", changes)
    return changes


def _upsert(model: type, key_column: Any, rows: list[tuple[object, dict[str, object]]]) -> tuple[int, int]:
    """Create or update ``model`` rows identified by ``key_column``; returns (created, updated)."""
    existing = {getattr(obj, key_column.key): obj for obj in db.session.scalars(select(model))}
    created = updated = 0
    for key, values in rows:
        obj = existing.get(key)
        if obj is None:
            db.session.add(model(**values))
            created += 1
        elif _update(obj, values):
            updated += 1
    return created, updated


def _update(obj: object, values: dict[str, object]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def on_framework_imported(_sender: object, *, framework: FrameworkSource) -> None:
    sync_framework(framework)


def connect_signals() -> None:
    """Follow course imports (the catalogue does not import competence); called by the app factory."""
    from lms.catalog.signals import framework_imported

    framework_imported.connect(on_framework_imported)
