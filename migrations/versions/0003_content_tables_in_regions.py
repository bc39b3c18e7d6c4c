"""content tables in focusable, named scroll regions (WCAG 1.4.10 reflow)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Course Markdown is rendered once at import; the renderer now puts every table in a focusable scroll
region named by its caption (a visually hidden caption from the nearest heading when the author gave
none) and adds ``scope`` to header cells. This revision upgrades the HTML stored before, in modules and
question explanations, with a copy of ``lms.markdown.wrap_tables`` as it was at this revision (a revision
never imports application code). Only markup changes: the generated caption is marked ``kern-sr-only``,
which the text fingerprint ignores, so no confirmation of a module's text is invalidated. Idempotent.
Downgrade keeps the upgraded HTML (it is valid for the older code too).
"""

import hashlib
import re

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

TABLE_BOX = '<div class="kern-table-responsive" role="region" tabindex="0" aria-labelledby="{id}">'
_TABLE_TAG = re.compile(r"<(/?)table\b[^>]*>", re.I)
_BOX_BEFORE = re.compile(r'<div class="kern-table-responsive"[^>]*>\s*\Z')
_HEADING = re.compile(r"<h([2-6])\b[^>]*>(.*?)</h\1>", re.S | re.I)
_CAPTION = re.compile(r"<caption\b([^>]*)>", re.I)
_ID = re.compile(r'\sid="([^"]*)"')
_TAG = re.compile(r"<[^>]*>")
_SECTION = re.compile(r"<(thead|tbody|tfoot)\b[^>]*>.*?</\1>", re.S | re.I)
_TH_WITHOUT_SCOPE = re.compile(r"<th\b(?![^>]*\bscope=)", re.I)


def _top_level_tables(html):
    spans, depth, start = [], 0, 0
    for match in _TABLE_TAG.finditer(html):
        if not match.group(1):
            if depth == 0:
                start = match.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((start, match.end()))
    return spans


def _with_scope(table):
    def section(match):
        scope = "col" if match.group(1).lower() == "thead" else "row"
        return _TH_WITHOUT_SCOPE.sub(f'<th scope="{scope}"', match.group(0))

    return _SECTION.sub(section, table)


def wrap_tables(html):
    out, position, used = [], 0, {}
    for number, (start, end) in enumerate(_top_level_tables(html), start=1):
        before = html[position:start]
        table = _with_scope(html[start:end])
        boxed = _BOX_BEFORE.search(html, 0, start) is not None
        caption = _CAPTION.search(table)
        if caption and _ID.search(caption.group(1)):
            caption_id = _ID.search(caption.group(1)).group(1)
        else:
            caption_id = "content-table-" + hashlib.sha256(f"{number}:{table}".encode()).hexdigest()[:8]
            if caption:
                table = table[:caption.end() - 1] + f' id="{caption_id}"' + table[caption.end() - 1:]
            else:
                headings = _HEADING.findall(html, 0, start)
                label = " ".join(_TAG.sub("", headings[-1][1]).split()) if headings else ""
                label = label or f"Tabelle {number}"
                used[label] = used.get(label, 0) + 1
                if used[label] > 1:
                    label = f"{label} ({used[label]})"
                opening = _TABLE_TAG.match(table)
                table = (table[:opening.end()] + f'<caption class="kern-sr-only" id="{caption_id}">{label}</caption>'
                         + table[opening.end():])
        out.append(before)
        out.append(table if boxed else TABLE_BOX.format(id=caption_id) + table + "</div>")
        position = end
    out.append(html[position:])
    return "".join(out)


def _upgrade(conn, table, column):
    t = sa.table(table, sa.column('id', sa.Integer), sa.column(column, sa.Text))
    rows = conn.execute(sa.select(t.c.id, t.c[column]).where(t.c[column].like('%<table%'))).all()
    for row_id, html in rows:
        new = wrap_tables(html)
        if new != html:
            conn.execute(t.update().where(t.c.id == row_id).values({column: new}))


def upgrade() -> None:
    conn = op.get_bind()
    _upgrade(conn, 'modules', 'html')
    _upgrade(conn, 'questions', 'explanation_html')


def downgrade() -> None:
    pass
