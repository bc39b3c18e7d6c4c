"""Reads of the organisation: subtrees through the materialised path, staff lists."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, func, or_, select

from lms.org.models import Employee, OrgUnit

#: DIN 5007-1 ("Wörterbuch"): umlauts sort as their base letter, ß as ss ("Schäfer" before "Schröder")
GERMAN_FOLDS = (("ä", "a"), ("ö", "o"), ("ü", "u"), ("Ä", "a"), ("Ö", "o"), ("Ü", "u"), ("ß", "ss"),
                ("ẞ", "ss"))


def german_key(column: ColumnElement[str]) -> ColumnElement[str]:
    """A sort and search key in SQL that works alike on SQLite and PostgreSQL: umlauts folded, lower case
    (SQLite's ``lower`` knows only ASCII, so the umlauts are folded first)."""
    expression = column
    for char, folded in GERMAN_FOLDS:
        expression = func.replace(expression, char, folded)
    return func.lower(expression)


def german_text_key(text: str) -> str:
    """:func:`german_key` in Python (for search terms)."""
    for char, folded in GERMAN_FOLDS:
        text = text.replace(char, folded)
    return text.lower()


def units_tree() -> Select[tuple[OrgUnit]]:
    """All units in tree order (a parent before its children, siblings by code)."""
    return select(OrgUnit).order_by(OrgUnit.path)


def subtree_unit_ids(paths: list[str]) -> Select[tuple[int]]:
    """Ids of every unit in the subtrees rooted at the units with these paths."""
    if not paths:
        return select(OrgUnit.id).where(False)
    return select(OrgUnit.id).where(or_(*(OrgUnit.path.startswith(p, autoescape=True) for p in paths)))


def staff(search: str = "", unit_paths: list[str] | None = None, *, include_inactive: bool = False
          ) -> Select[tuple[Employee]]:
    """Employees by last and first name; ``unit_paths`` restricts to those subtrees (None: everyone)."""
    query = select(Employee).join(Employee.org_unit).order_by(Employee.last_name, Employee.first_name,
                                                               Employee.id)
    if unit_paths is not None:
        query = query.where(Employee.org_unit_id.in_(subtree_unit_ids(unit_paths)))
    if not include_inactive:
        query = query.where(Employee.is_active.is_(True))
    search = search.strip()
    if search:
        like = f"%{search.lower()}%"
        query = query.where(or_(
            func.lower(Employee.last_name).like(like),
            func.lower(Employee.first_name).like(like),
            func.lower(Employee.email).like(like),
            Employee.personnel_no == search,
            func.lower(OrgUnit.code) == search.lower(),
        ))
    return query


def unit_staff_counts() -> Select[tuple[int, int]]:
    """(unit id, active employees directly in the unit)."""
    return (select(Employee.org_unit_id, func.count())
            .where(Employee.is_active.is_(True)).group_by(Employee.org_unit_id))
