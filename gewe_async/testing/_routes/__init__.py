"""The fake's endpoints, one module per API group, as in ``gewe_async._api``.

Importing this package registers every route in ``ROUTES``.
"""

from gewe_async.testing._routes import (  # noqa: F401 - imported to register their routes
    contacts,
    favor,
    finder,
    group,
    im,
    label,
    login,
    message,
    personal,
    sns,
)
from gewe_async.testing._routes._registry import ROUTES, FakeRefusal, FakeRoute, route

__all__ = ["ROUTES", "FakeRefusal", "FakeRoute", "route"]
