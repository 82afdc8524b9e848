"""Errors at the Discord edge: what the member is told, what the log gets.

`Friendly` is a problem the member can fix (a bad date, an unknown id, a
cooldown): its text is shown to them privately. Anything else is a bug or an
outage: it is logged with the command or button that hit it, and the member
gets a private "something went wrong" rather than Discord's bare
"The application did not respond". Commands reach `report_error` through the
tree's `on_error`; buttons call it themselves (discord.py only logs their errors).
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot import render
from bot.render import NO_MENTIONS

log = logging.getLogger("almanac.bot")

SOMETHING_WENT_WRONG = "Something went wrong on my side and it has been logged. Please try again in a moment."


class Friendly(app_commands.AppCommandError):
    """A problem the member can fix; `str()` is shown to them privately."""


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the member privately; log what they can't fix. Never leave an interaction unanswered."""
    original = getattr(error, "original", None) or error
    if isinstance(original, Friendly):
        message = str(original)
    elif isinstance(original, app_commands.MissingPermissions):
        message = "You need the Manage Server permission to change where I post."
    elif isinstance(original, app_commands.TransformerError):
        message = f"I couldn't read “{render.clip(str(original.value), 50)}” there. Please pick from the list."
    else:
        name = interaction.command.qualified_name if interaction.command else (interaction.data or {}).get("custom_id")
        log.error("error in %s for user %s: %s", name, interaction.user.id if interaction.user else "?",
                  original, exc_info=(type(original), original, original.__traceback__))
        message = SOMETHING_WENT_WRONG
    try:
        if interaction.response.is_done():
            if interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
                # A "thinking…" placeholder: remove it so the private note stands alone.
                try:
                    await interaction.delete_original_response()
                except discord.HTTPException:
                    pass
            await interaction.followup.send(render.plain(message), ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(render.plain(message), ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        log.warning("could not tell the user about an error: %s", exc)
