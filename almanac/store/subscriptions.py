"""Channel subscriptions: which Discord channels receive which posts.

A server admin runs `/subscribe` in Discord; the bot stores the channel here,
and at every run the scheduler turns the current subscriptions into channel
publishers (subscriptions change while the bot runs, so nothing caches them).
Ids are Discord snowflakes kept as text: they exceed what JSON numbers and
some SQLite tools handle exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from almanac.store.database import StoreError, utc_now

#: What a subscribed channel receives.
POSTS = ("anniversaries", "new", "both")


@dataclass(frozen=True)
class Subscription:
    channel_id: int
    guild_id: int | None
    posts: str
    created_at: str

    @property
    def wants(self) -> frozenset[str]:
        """The post kinds of the Publisher protocol this channel takes ("anniversary", "new")."""
        return {
            "anniversaries": frozenset({"anniversary"}),
            "new": frozenset({"new"}),
            "both": frozenset({"anniversary", "new"}),
        }[self.posts]

    def to_json(self) -> dict:
        return {"channel_id": str(self.channel_id), "guild_id": str(self.guild_id) if self.guild_id else None,
                "posts": self.posts, "created_at": self.created_at}


class SubscriptionsMixin:
    """Methods over the `subscriptions` table (mixed into `Store`)."""

    def subscribe(self, channel_id: int, guild_id: int | None, posts: str = "both") -> Subscription:
        """Subscribe a channel, or change what it receives; keeps the original `created_at`."""
        if posts not in POSTS:
            raise StoreError(f"posts must be one of {', '.join(POSTS)}, not {posts!r}")
        with self.transaction() as db:
            db.execute(
                "INSERT INTO subscriptions (channel_id, guild_id, posts, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (channel_id) DO UPDATE SET posts = excluded.posts, guild_id = excluded.guild_id",
                [str(channel_id), str(guild_id) if guild_id else None, posts, utc_now()],
            )
        return self.subscription(channel_id)

    def unsubscribe(self, channel_id: int) -> bool:
        """Remove a channel's subscription; False if it had none."""
        with self.transaction() as db:
            cursor = db.execute("DELETE FROM subscriptions WHERE channel_id = ?", [str(channel_id)])
            return cursor.rowcount > 0

    def subscription(self, channel_id: int) -> Subscription | None:
        with self.read() as db:
            rows = db.execute(
                "SELECT channel_id, guild_id, posts, created_at FROM subscriptions WHERE channel_id = ?", [str(channel_id)]
            ).fetchall()
        return _subscription(rows[0]) if rows else None

    def subscriptions(self) -> list[Subscription]:
        """Every subscribed channel, oldest subscription first."""
        with self.read() as db:
            rows = db.execute(
                "SELECT channel_id, guild_id, posts, created_at FROM subscriptions ORDER BY created_at, channel_id"
            ).fetchall()
        return [_subscription(r) for r in rows]


def _subscription(row) -> Subscription:
    return Subscription(int(row[0]), int(row[1]) if row[1] else None, row[2], row[3])
