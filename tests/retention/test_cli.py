"""The command line: counts per category, no names; the dry run writes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from lms import db
from lms.audit.models import AuditEvent


def runs() -> int:
    return db.session.scalar(select(func.count()).where(AuditEvent.action == "retention.applied"))


def test_dry_run_then_real_run(app, runner, world, monkeypatch):
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    before = runs()
    dry = runner.invoke(args=["retention", "apply", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.output.startswith("Probelauf, nichts geändert.")
    assert "Ausgeschiedene anonymisiert: 1" in dry.output
    assert "Quizversuche auf das Ergebnis reduziert: 2" in dry.output
    assert "Weggang" not in dry.output and "@" not in dry.output
    assert runs() == before
    real = runner.invoke(args=["retention", "apply"])
    assert real.exit_code == 0, real.output
    assert real.output.splitlines()[1:] == dry.output.splitlines()[1:]
    assert runs() == before + 1
    again = runner.invoke(args=["retention", "apply"])
    assert "Ausgeschiedene anonymisiert: 0" in again.output


def test_english(app, runner, world, monkeypatch):
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    result = runner.invoke(args=["retention", "apply", "--dry-run"])
    assert "leavers anonymised: 1" in result.output


def test_a_bad_period_is_one_line(app, runner):
    app.config["LMS_RETENTION_AUDIT_DAYS"] = 0
    result = runner.invoke(args=["retention", "apply"])
    assert result.exit_code != 0
    assert "LMS_RETENTION_AUDIT_DAYS" in str(result.exception or result.output)
