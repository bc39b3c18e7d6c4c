"""Pagination of a Select: one COUNT and one page query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, request
from sqlalchemy import Select, func, select
from werkzeug.routing import IntegerConverter

from lms import db

#: the largest id the schema stores: its ``Integer`` columns are 32-bit on PostgreSQL (SQLite: 64)
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """werkzeug's ``int`` converter, limited to 0 … ``MAX_ID`` unless a rule says otherwise: a larger
    number cannot be an id (or a module position), so it is an unknown page."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = MAX_ID, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(query: Select[Any], *, per_page: int = 50, rows: bool = False) -> Page:
    """The page ``?page=`` of ``query``. A missing, non-numeric or non-positive page number shows the
    first page; a page beyond the last (however large the number) is a 404. ``rows``: the items are
    result rows (several columns), not the first column's objects."""
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if page > 1 and (page - 1) * per_page >= total:
        abort(404)
    paged = query.limit(per_page).offset((page - 1) * per_page)
    items = db.session.execute(paged).all() if rows else db.session.scalars(paged).unique().all()
    return Page(list(items), page, per_page, total)
