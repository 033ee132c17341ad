"""States declared as class attributes, so that a typo fails at import, not in a chat."""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = ["State", "StatesGroup"]


class State:
    """One step of a conversation, declared in a [`StatesGroup`][gewe_async.bot.fsm.StatesGroup].

    Its name is ``"<Group>:<attribute>"`` (``"Signup:city"``): what the storage keeps.
    """

    def __init__(self, name: str | None = None) -> None:
        """Make a state; its name comes from the attribute unless ``name`` is given."""
        self._name = name
        self._group: str | None = None

    def __set_name__(self, owner: type, attribute: str) -> None:
        self._group = owner.__qualname__
        if self._name is None:
            self._name = attribute

    @property
    def state(self) -> str:
        """The name stored for this state (``"Signup:city"``).

        Raises:
            TypeError: The state was not declared in a class.
        """
        if self._name is None:
            raise TypeError("declare a State as an attribute of a StatesGroup")
        return self._name if self._group is None else f"{self._group}:{self._name}"

    def __str__(self) -> str:
        return self.state

    def __repr__(self) -> str:
        return f"<State {self.state!r}>" if self._name is not None else "<State (unbound)>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, State):
            return self.state == other.state
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.state)


class StatesGroup:
    """The states of one conversation, as class attributes.

    ```python
    class Signup(StatesGroup):
        name = State()
        city = State()

    await ctx.state.set(Signup.city)        # Signup.cty fails when the module loads
    @router.on(TextMessage, f.state(Signup.city))
    ```
    """

    __all_states__: ClassVar[tuple[State, ...]] = ()
    """The group's states, in declaration order."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__all_states__ = tuple(v for v in vars(cls).values() if isinstance(v, State))

    def __init__(self) -> None:
        raise TypeError("a StatesGroup is used as a class, not instantiated")
