"""The fake's endpoints, one module per API group, as in ``gewe_async._api``.

Importing this package imports every module in it, and so registers every route in
``ROUTES``: a new module of routes needs no line here.
"""

import importlib
import pkgutil

from gewe_async.testing._routes._registry import ROUTES, FakeRoute, FakeServer, route

__all__ = ["ROUTES", "FakeRoute", "FakeServer", "route"]

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
