"""Reports and charts: adapters that turn engine results into documents.

``pmfit.report`` is both this package and the function
:func:`pmfit.api.report`: calling the module calls the function, so
``pmfit.report(plan, audience="executive")`` works however it was imported.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallableModule(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from pmfit.api import report

        return report(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
