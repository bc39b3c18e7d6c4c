"""records survive change: progress by module key, acknowledgements by text, holder names on
certificates, renewal semantics of major versions, change notes

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Data migration (nothing is deleted or rewritten, only new columns filled in):
- modules.key: the file name without its number ("01-was-ist-ki" -> "was-ist-ki");
  modules.text_hash: SHA-256 of title and visible text (the same function as
  lms.catalog.fingerprint.text_hash, copied here so that this revision never changes behaviour);
- module_progress / acknowledgements: course and module key (and the acknowledged text) of the module
  row they point to;
- completions.holder_name / holder_short: the holder's name now (the best knowledge of the name at issue
  time that exists; from now on it is stored at issue time);
- course_versions.renewal_major = major, requires_renewal = (major above the course's first major):
  exactly the behaviour before this revision, where every major version asked for renewal.
The unique constraint (user, version) on completions becomes unique (attempt): a renewal on the same
version adds a completion instead of being impossible.
"""

import hashlib
import re
from html.parser import HTMLParser

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_SPACE = re.compile(r"\s+")


_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.hidden = 0

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        if self.hidden:
            self.hidden += tag not in _VOID
        elif tag not in _VOID and "kern-sr-only" in (dict(attrs).get("class") or "").split():
            self.hidden = 1
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if self.hidden:
            self.hidden -= 1
        self.parts.append(" ")


def _text_hash(title, html):
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    text = _SPACE.sub(" ", "".join(parser.parts)).strip()
    data = (_SPACE.sub(" ", title or "").strip() + "\n" + text).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table('modules') as batch_op:
        batch_op.add_column(sa.Column('key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('text_hash', sa.String(length=64), nullable=True))
    with op.batch_alter_table('course_versions') as batch_op:
        batch_op.add_column(sa.Column('changes_html', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('requires_renewal', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('renewal_major', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('module_progress') as batch_op:
        batch_op.add_column(sa.Column('course_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('module_key', sa.String(length=200), nullable=True))
    with op.batch_alter_table('acknowledgements') as batch_op:
        batch_op.add_column(sa.Column('course_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('module_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('text_hash', sa.String(length=64), nullable=True))
    with op.batch_alter_table('completions') as batch_op:
        batch_op.add_column(sa.Column('holder_name', sa.String(length=300), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('holder_short', sa.String(length=300), nullable=True))

    conn = op.get_bind()
    modules = sa.table('modules', sa.column('id', sa.Integer), sa.column('slug', sa.String),
                       sa.column('title', sa.String), sa.column('html', sa.Text),
                       sa.column('key', sa.String), sa.column('text_hash', sa.String))
    for row in conn.execute(sa.select(modules.c.id, modules.c.slug, modules.c.title, modules.c.html)).all():
        conn.execute(modules.update().where(modules.c.id == row.id).values(
            key=re.sub(r"^\d{2}-", "", row.slug), text_hash=_text_hash(row.title, row.html)))

    conn.execute(sa.text("""
        UPDATE course_versions SET renewal_major = major,
          requires_renewal = (major > (SELECT min(v.major) FROM course_versions v
                                       WHERE v.course_id = course_versions.course_id))"""))
    conn.execute(sa.text("""
        UPDATE module_progress SET
          module_key = (SELECT m.key FROM modules m WHERE m.id = module_progress.module_id),
          course_id = (SELECT v.course_id FROM modules m JOIN course_versions v ON v.id = m.course_version_id
                       WHERE m.id = module_progress.module_id)"""))
    conn.execute(sa.text("""
        UPDATE acknowledgements SET
          module_key = (SELECT m.key FROM modules m WHERE m.id = acknowledgements.module_id),
          text_hash = (SELECT m.text_hash FROM modules m WHERE m.id = acknowledgements.module_id),
          course_id = (SELECT v.course_id FROM course_versions v
                       WHERE v.id = acknowledgements.course_version_id)"""))
    conn.execute(sa.text("""
        UPDATE completions SET
          holder_name = COALESCE(
            (SELECT e.first_name || ' ' || e.last_name FROM users u JOIN employees e ON e.id = u.employee_id
             WHERE u.id = completions.user_id),
            (SELECT CASE WHEN u.display_name <> '' THEN u.display_name ELSE u.email END
             FROM users u WHERE u.id = completions.user_id), ''),
          holder_short = (SELECT substr(e.first_name, 1, 1) || '. ' || e.last_name
                          FROM users u JOIN employees e ON e.id = u.employee_id
                          WHERE u.id = completions.user_id)"""))

    with op.batch_alter_table('modules') as batch_op:
        batch_op.alter_column('key', existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column('text_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_modules_version_key'),
                                          ['course_version_id', 'key'])
    with op.batch_alter_table('module_progress') as batch_op:
        batch_op.alter_column('course_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('module_key', existing_type=sa.String(length=200), nullable=False)
        batch_op.create_index('ix_module_progress_user_course_key', ['user_id', 'course_id', 'module_key'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_module_progress_course_id_courses'), 'courses',
                                    ['course_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('acknowledgements') as batch_op:
        batch_op.alter_column('course_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('module_key', existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column('text_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('ix_acknowledgements_user_course_key', ['user_id', 'course_id', 'module_key'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_acknowledgements_course_id_courses'), 'courses',
                                    ['course_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('completions') as batch_op:
        batch_op.drop_constraint('uq_completions_user_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_completions_attempt_id'), ['attempt_id'])


def downgrade() -> None:
    # A renewal on the same version cannot be represented before 0002: downgrading such data fails on
    # the restored unique constraint (as it should: nothing is silently dropped).
    with op.batch_alter_table('completions') as batch_op:
        batch_op.drop_constraint('uq_completions_attempt_id', type_='unique')
        batch_op.create_unique_constraint('uq_completions_user_id', ['user_id', 'course_version_id'])
        batch_op.drop_column('holder_short')
        batch_op.drop_column('holder_name')
    with op.batch_alter_table('acknowledgements') as batch_op:
        batch_op.drop_constraint('fk_acknowledgements_course_id_courses', type_='foreignkey')
        batch_op.drop_index('ix_acknowledgements_user_course_key')
        batch_op.drop_column('text_hash')
        batch_op.drop_column('module_key')
        batch_op.drop_column('course_id')
    with op.batch_alter_table('module_progress') as batch_op:
        batch_op.drop_constraint('fk_module_progress_course_id_courses', type_='foreignkey')
        batch_op.drop_index('ix_module_progress_user_course_key')
        batch_op.drop_column('module_key')
        batch_op.drop_column('course_id')
    with op.batch_alter_table('course_versions') as batch_op:
        batch_op.drop_column('renewal_major')
        batch_op.drop_column('requires_renewal')
        batch_op.drop_column('changes_html')
    with op.batch_alter_table('modules') as batch_op:
        batch_op.drop_constraint('uq_modules_version_key', type_='unique')
        batch_op.drop_column('text_hash')
        batch_op.drop_column('key')
