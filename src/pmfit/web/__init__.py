"""The pmfit server: REST API (and, next, the web pages) over the store. See ``docs/how-to/server.md``."""
