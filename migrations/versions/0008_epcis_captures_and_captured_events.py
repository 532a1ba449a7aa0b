"""EPCIS 2.0 captures, captured events, their identifier index and party aliases; event rows
recorded from a captured event link to it (issue 7)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('epcis_capture',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('event_count', sa.Integer(), nullable=False),
    sa.Column('mapped_count', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_epcis_capture'))
    )
    op.create_table('epcis_alias',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_epcis_alias_partner_id_partner')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_epcis_alias'))
    )
    with op.batch_alter_table('epcis_alias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_epcis_alias_partner_id'), ['partner_id'], unique=False)

    op.create_table('epcis_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=300), nullable=False),
    sa.Column('capture_id', sa.String(length=32), nullable=False),
    sa.Column('event_type', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=True),
    sa.Column('event_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('record_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('biz_step', sa.String(length=300), nullable=True),
    sa.Column('disposition', sa.String(length=300), nullable=True),
    sa.Column('biz_location', sa.String(length=300), nullable=True),
    sa.Column('read_point', sa.String(length=300), nullable=True),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['capture_id'], ['epcis_capture.id'], name=op.f('fk_epcis_event_capture_id_epcis_capture')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_epcis_event'))
    )
    with op.batch_alter_table('epcis_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_epcis_event_biz_location'), ['biz_location'], unique=False)
        batch_op.create_index(batch_op.f('ix_epcis_event_biz_step'), ['biz_step'], unique=False)
        batch_op.create_index(batch_op.f('ix_epcis_event_capture_id'), ['capture_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_epcis_event_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_epcis_event_time_id', ['event_time', 'id'], unique=False)

    op.create_table('epcis_epc',
    sa.Column('epcis_event_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['epcis_event_id'], ['epcis_event.id'], name=op.f('fk_epcis_epc_epcis_event_id_epcis_event')),
    sa.PrimaryKeyConstraint('epcis_event_id', 'role', 'key', name=op.f('pk_epcis_epc'))
    )
    with op.batch_alter_table('epcis_epc', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_epcis_epc_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_epcis_epc_lot_id'), ['lot_id'], unique=False)

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('epcis_event_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_event_epcis_event_id'), ['epcis_event_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_epcis_event_id'))
        batch_op.drop_column('epcis_event_id')

    with op.batch_alter_table('epcis_epc', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_epcis_epc_lot_id'))
        batch_op.drop_index(batch_op.f('ix_epcis_epc_key'))

    op.drop_table('epcis_epc')
    with op.batch_alter_table('epcis_event', schema=None) as batch_op:
        batch_op.drop_index('ix_epcis_event_time_id')
        batch_op.drop_index(batch_op.f('ix_epcis_event_event_id'))
        batch_op.drop_index(batch_op.f('ix_epcis_event_capture_id'))
        batch_op.drop_index(batch_op.f('ix_epcis_event_biz_step'))
        batch_op.drop_index(batch_op.f('ix_epcis_event_biz_location'))

    op.drop_table('epcis_event')
    with op.batch_alter_table('epcis_alias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_epcis_alias_partner_id'))

    op.drop_table('epcis_alias')
    op.drop_table('epcis_capture')
