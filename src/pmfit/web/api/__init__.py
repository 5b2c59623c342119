"""REST routes under ``/api/v1``, one module per resource; each route depends on one access gate."""
