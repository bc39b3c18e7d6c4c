"""Synchronising the competence framework from competences.yml."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from lms import db
from lms.catalog.loader import load_catalog
from lms.competence.models import CompetenceArea, CompetenceLevel
from lms.competence.services import sync_framework

COURSES = Path(__file__).resolve().parents[2] / "courses"


def framework(root: Path):
    catalog, problems = load_catalog(root)
    assert problems == []
    return catalog.framework


def test_sync_creates_then_is_a_no_op_then_updates(app, tmp_path):
    (tmp_path / "competences.yml").write_text((COURSES / "competences.yml").read_text("utf-8"), "utf-8")
    first = sync_framework(framework(tmp_path))
    assert (first.areas_created, first.levels_created) == (6, 4)
    db.session.commit()
    assert sync_framework(framework(tmp_path)).changed is False
    text = (tmp_path / "competences.yml").read_text("utf-8").replace("Kennen, en: Know", "Kennen, en: Knowing")
    (tmp_path / "competences.yml").write_text(text, "utf-8")
    third = sync_framework(framework(tmp_path))
    assert (third.areas_created, third.areas_updated, third.levels_created, third.levels_updated) == (0, 0, 0, 1)
    assert db.session.get(CompetenceLevel, 1).name_en == "Knowing"
    assert [a.key for a in db.session.scalars(select(CompetenceArea).order_by(CompetenceArea.position))][0] == \
        "grundlagen"
