"""The publishing front end: feeds, the static site, the web server, scheduled jobs."""
