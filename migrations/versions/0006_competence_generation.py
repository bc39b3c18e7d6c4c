"""competence generation: the number caches of the committee's figures are keyed on

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

- competence_generation: one row (id 1) whose number is replaced by a new random one at every change of
  the unit summaries and of the units, courses, rules, framework and targets the committee's figures
  read (derived data; caches of the figures are keyed on it).
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('competence_generation',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('generation', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competence_generation'))
    )
    # random like every later value (lms.competence.services.bump_generation): two databases never share one
    op.execute(sa.text("INSERT INTO competence_generation (id, generation) VALUES (1, :value)")
               .bindparams(value=secrets.randbits(62)))


def downgrade() -> None:
    op.drop_table('competence_generation')
