"""The web app's pages: server-rendered HTML over the workspace and :class:`pmfit.Project`.

``views`` turns stored plans into what a page shows (no HTTP, no SQL); ``routes`` are the page
routes, each with its access gate like the API's; ``templates`` and ``../static`` hold the markup,
the style sheet and the one small script (the CSP forbids inline scripts and styles).
"""
