"""The ``pmfit`` command line: thin shells over the library."""
