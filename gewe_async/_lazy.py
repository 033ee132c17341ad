"""Module attributes that load on first use (PEP 562), and names kept after a move.

``import gewe_async`` stays cheap only if it loads none of the groups' modules; a package
names them in a table instead, and this module makes the table its ``__getattr__``:

```python
__getattr__, __dir__ = lazy_attributes(__name__, {"sns": "gewe_async.types.sns"})
```
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(
    module: str, targets: Mapping[str, str], *, moved: bool = False
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return the ``__getattr__`` and ``__dir__`` of ``module`` for names loaded on first use.

    Args:
        module: The ``__name__`` of the module the names belong to.
        targets: Each name and where it is: ``"package.module"`` for that module itself,
            ``"package.module:Name"`` for an attribute of it.
        moved: The names moved away and are kept for old imports: each use warns with a
            `DeprecationWarning` naming the new place, and ``dir()`` no longer lists them.
    """
    namespace = importlib.import_module(module)

    def __getattr__(name: str) -> Any:
        target = targets.get(name)
        if target is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        where, _, attribute = target.partition(":")
        if moved:
            warnings.warn(
                f"{module}.{name} moved: import it from {where}", DeprecationWarning, stacklevel=2
            )
        value = importlib.import_module(where)
        return getattr(value, attribute) if attribute else value

    def __dir__() -> list[str]:
        names = set(vars(namespace))
        return sorted(names if moved else names | set(targets))

    return __getattr__, __dir__
