"""The competence framework in the database, kept equal to ``courses/competences.yml``.

Adds and flushes; the caller commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

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
    areas = {a.key: a for a in db.session.scalars(select(CompetenceArea))}
    levels = {lv.level: lv for lv in db.session.scalars(select(CompetenceLevel))}
    counts = {"areas_created": 0, "areas_updated": 0, "levels_created": 0, "levels_updated": 0}
    for position, source in enumerate(framework.areas, start=1):
        values = {
            "position": position, "name_de": source.name_de, "name_en": source.name_en,
            "description_de": source.description_de or "", "description_en": source.description_en or "",
        }
        area = areas.get(source.key)
        if area is None:
            db.session.add(CompetenceArea(key=source.key, **values))
            counts["areas_created"] += 1
        elif _update(area, values):
            counts["areas_updated"] += 1
    for source in framework.levels:
        values = {
            "key": source.key, "name_de": source.name_de, "name_en": source.name_en,
            "description_de": source.description_de or "", "description_en": source.description_en or "",
        }
        level = levels.get(source.level)
        if level is None:
            db.session.add(CompetenceLevel(level=source.level, **values))
            counts["levels_created"] += 1
        elif _update(level, values):
            counts["levels_updated"] += 1
    db.session.flush()
    changes = FrameworkChanges(**counts)
    if changes.changed:
        log.info("competence framework synchronised: %s", changes)
    return changes


def _update(obj: object, values: dict[str, object]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed
