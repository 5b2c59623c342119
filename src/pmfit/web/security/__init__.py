"""Authentication, authorisation and browser safety of the server."""
