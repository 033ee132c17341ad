"""``FakeRefusal``: the one exception a fake handler or the graph raises for a ``ret: 500``."""

from __future__ import annotations

from typing import Any

__all__ = ["FakeRefusal"]


class FakeRefusal(Exception):
    """What the real server refuses: answered as ``ret: 500`` with ``msg`` and ``data``.

    Args:
        msg: The answer's ``msg``.
        data: The answer's ``data`` (``None`` for the refusals that have none).
    """

    def __init__(self, msg: str, data: Any = None) -> None:
        super().__init__(msg)
        self.msg = msg
        self.data = data

    @classmethod
    def failed(cls, reason: str) -> FakeRefusal:
        """``操作失败`` with ``reason``: an action the server would not do (the most common)."""
        return cls("操作失败", {"code": "-1", "msg": reason})

    @classmethod
    def invalid(cls, reason: str) -> FakeRefusal:
        """``参数错误`` with ``reason``: a field the server cannot read."""
        return cls("参数错误", {"code": "-1", "msg": reason})
