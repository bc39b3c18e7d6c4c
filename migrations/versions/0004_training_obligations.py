"""training obligations, notifications, retention

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

- assignment_rules: course X is mandatory for everyone, a unit subtree and/or a position;
- assignments become cycles of an obligation: unique (employee, course, cycle) instead of
  (employee, course). Data: every existing assignment is cycle 1, "initial", current, opened on the day
  it was assigned, and linked to the employee's latest completion of the course if there is one;
- notifications: e-mails sent once (reminder stages, digests);
- invitations.purpose ("invite" for every existing link), employees.anonymised_at,
  attempts.details_removed_at (retention).
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import lms.db

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assignment_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('position_pattern', sa.String(length=200), nullable=True),
    sa.Column('due_days', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(due_days IS NULL) <> (due_on IS NULL)', name=op.f('ck_assignment_rules_one_due')),
    sa.CheckConstraint('due_days IS NULL OR (due_days >= 1 AND due_days <= 3650)', name=op.f('ck_assignment_rules_due_days_range')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_assignment_rules_course_id_courses'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_assignment_rules_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name=op.f('fk_assignment_rules_ended_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_assignment_rules_org_unit_id_org_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_rules'))
    )
    with op.batch_alter_table('assignment_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_rules_course_id'), ['course_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_notifications_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notifications_dedupe_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cycle', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('opened_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('rule_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('completion_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('is_current', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('ended_at', lms.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('ended_reason', sa.String(length=40), nullable=True))

    _fill_assignments()

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.alter_column('cycle', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('reason', existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column('opened_on', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('is_current', existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_constraint('uq_assignments_employee_id', type_='unique')
        batch_op.create_index('ix_assignments_current', ['is_current', 'course_id', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_rule_id'), ['rule_id'], unique=False)
        batch_op.create_unique_constraint('uq_assignments_cycle', ['employee_id', 'course_id', 'cycle'])
        batch_op.create_foreign_key(batch_op.f('fk_assignments_completion_id_completions'), 'completions', ['completion_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_assignments_rule_id_assignment_rules'), 'assignment_rules', ['rule_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details_removed_at', lms.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', lms.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=20), nullable=True))
    op.execute("UPDATE invitations SET purpose = 'invite'")
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.alter_column('purpose', existing_type=sa.String(length=20), nullable=False)



def _fill_assignments() -> None:
    """Existing assignments: cycle 1 of a running obligation, linked to the latest completion."""
    bind = op.get_bind()
    assignments = sa.table('assignments', sa.column('id', sa.Integer), sa.column('employee_id', sa.Integer),
                           sa.column('course_id', sa.Integer), sa.column('assigned_at', lms.db.UTCDateTime()),
                           sa.column('cycle', sa.Integer), sa.column('reason', sa.String),
                           sa.column('opened_on', sa.Date), sa.column('completion_id', sa.Integer),
                           sa.column('is_current', sa.Boolean))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('employee_id', sa.Integer))
    completions = sa.table('completions', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer),
                           sa.column('course_id', sa.Integer), sa.column('course_version_id', sa.Integer),
                           sa.column('completed_at', lms.db.UTCDateTime()),
                           sa.column('valid_until', lms.db.UTCDateTime()))
    versions = sa.table('course_versions', sa.column('id', sa.Integer), sa.column('major', sa.Integer),
                        sa.column('renewal_major', sa.Integer))
    courses = sa.table('courses', sa.column('id', sa.Integer), sa.column('current_version_id', sa.Integer))
    current = versions.alias('current')
    now = datetime.now(UTC)
    latest = {}
    rows = bind.execute(sa.select(users.c.employee_id, completions.c.course_id, completions.c.id,
                                  completions.c.valid_until, versions.c.major, current.c.renewal_major)
                        .join(completions, completions.c.user_id == users.c.id)
                        .join(versions, versions.c.id == completions.c.course_version_id)
                        .join(courses, courses.c.id == completions.c.course_id)
                        .outerjoin(current, current.c.id == courses.c.current_version_id)
                        .where(users.c.employee_id.is_not(None))
                        .order_by(completions.c.completed_at, completions.c.id))
    for employee_id, course_id, completion_id, valid_until, major, renewal_major in rows:
        # only the latest completion counts, and only while it is valid (as the code decides)
        valid = valid_until > now and major >= (renewal_major or 0)
        latest[(employee_id, course_id)] = completion_id if valid else None
    berlin = ZoneInfo('Europe/Berlin')
    for id_, employee_id, course_id, assigned_at in bind.execute(
            sa.select(assignments.c.id, assignments.c.employee_id, assignments.c.course_id,
                      assignments.c.assigned_at)).all():
        bind.execute(assignments.update().where(assignments.c.id == id_).values(
            cycle=1, reason='initial', is_current=True, opened_on=assigned_at.astimezone(berlin).date(),
            completion_id=latest.get((employee_id, course_id))))


def downgrade() -> None:
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('purpose')

    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('details_removed_at')

    # before 0004 an obligation had one row: keep the current cycle (developers only; renewals are lost)
    op.execute("DELETE FROM assignments WHERE is_current = false AND cycle > 1")
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignments_rule_id_assignment_rules'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_assignments_completion_id_completions'), type_='foreignkey')
        batch_op.drop_constraint('uq_assignments_cycle', type_='unique')
        batch_op.drop_index(batch_op.f('ix_assignments_rule_id'))
        batch_op.drop_index('ix_assignments_current')
        batch_op.create_unique_constraint('uq_assignments_employee_id', ['employee_id', 'course_id'])
        batch_op.drop_column('ended_reason')
        batch_op.drop_column('ended_at')
        batch_op.drop_column('is_current')
        batch_op.drop_column('completion_id')
        batch_op.drop_column('rule_id')
        batch_op.drop_column('opened_on')
        batch_op.drop_column('reason')
        batch_op.drop_column('cycle')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_assignment_id'))

    op.drop_table('notifications')
    with op.batch_alter_table('assignment_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_rules_course_id'))

    op.drop_table('assignment_rules')
