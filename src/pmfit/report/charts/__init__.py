"""Charts made with matplotlib (the ``plot`` extra). One module per chart family."""
