"""Notifications: the outbox, preferences, profiles, rooms' reminder offsets, webhooks.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 19:00:00

"""

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'notification_webhooks',
        sa.Column('id', GUID(length=16), nullable=False),
        sa.Column('room_id', GUID(length=16), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('secret', sa.String(length=128), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_by', GUID(length=16), nullable=False),
        sa.Column('created_at', DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_notification_webhooks_room_id_rooms'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_notification_webhooks_created_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_webhooks')),
    )
    with op.batch_alter_table('notification_webhooks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_webhooks_room_id'), ['room_id'], unique=False)

    op.create_table(
        'notifications',
        sa.Column('id', GUID(length=16), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('room_id', GUID(length=16), nullable=True),
        sa.Column('user_id', GUID(length=16), nullable=True),
        sa.Column('address', sa.String(length=320), nullable=True),
        sa.Column('webhook_id', GUID(length=16), nullable=True),
        sa.Column('locale', sa.String(length=16), nullable=True),
        sa.Column('payload', JSON_DOCUMENT, nullable=False),
        sa.Column('dedupe_key', sa.String(length=200), nullable=True),
        sa.Column('message_id', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', DateTimeUTC(timezone=True), nullable=False),
        sa.Column('claimed_until', DateTimeUTC(timezone=True), nullable=True),
        sa.Column('claimed_by', sa.String(length=64), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', DateTimeUTC(timezone=True), nullable=False),
        sa.Column('sent_at', DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_notifications_room_id_rooms'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['webhook_id'], ['notification_webhooks.id'], name=op.f('fk_notifications_webhook_id_notification_webhooks'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_notifications_dedupe_key')),
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_notifications_inbox', ['user_id', 'channel', 'status'], unique=False)
        batch_op.create_index('ix_notifications_room', ['room_id', 'status'], unique=False)

    op.create_table(
        'notification_preferences',
        sa.Column('user_id', GUID(length=16), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('mode', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_preferences')),
    )
    op.create_table(
        'notification_profiles',
        sa.Column('user_id', GUID(length=16), nullable=False),
        sa.Column('locale', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_profiles_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_profiles')),
    )
    op.create_table(
        'room_notification_settings',
        sa.Column('room_id', GUID(length=16), nullable=False),
        sa.Column('reminder_offsets_s', JSON_DOCUMENT, nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_room_notification_settings_room_id_rooms'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('room_id', name=op.f('pk_room_notification_settings')),
    )


def downgrade() -> None:
    op.drop_table('room_notification_settings')
    op.drop_table('notification_profiles')
    op.drop_table('notification_preferences')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_room')
        batch_op.drop_index('ix_notifications_inbox')
        batch_op.drop_index('ix_notifications_due')
    op.drop_table('notifications')
    with op.batch_alter_table('notification_webhooks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_webhooks_room_id'))
    op.drop_table('notification_webhooks')
