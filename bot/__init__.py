"""The Discord front end: slash commands over the archive, and channel posts."""
