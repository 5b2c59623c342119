"""Reports and charts: adapters that turn engine results into documents.

``pmfit.report`` is both this package and the function :func:`pmfit.api.report`: calling the
package calls the function, so ``pmfit.report(plan, audience="executive")`` works however it was
imported. The package's parent (``pmfit/__init__.py``, home of the public names) makes it callable
when it is bound to ``pmfit.report``, so this layer imports nothing above it.
"""
