"""whispers: notes between a supervisor and a case's agent, kept apart from the customer record

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """A new table only: nothing existing changes."""
    op.create_table('whispers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['agents.id'], ),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('whispers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_whispers_conversation_id'), ['conversation_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('whispers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_whispers_conversation_id'))
    op.drop_table('whispers')
