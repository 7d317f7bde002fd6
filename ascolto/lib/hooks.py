"""Hook lists: how a lower app sets off a higher one without importing it.

A lower app owns a `Hooks` list in its `hooks.py` and calls it where the event happens (inside
its transaction, so every hook's writes commit or roll back with the event). A higher app fills
the list in its `AppConfig.ready()`:

    # ascolto/promises/apps.py
    def ready(self):
        from ascolto.interactions import hooks
        from ascolto.promises.services import interaction_checks_refresh

        hooks.interaction_recorded.register(interaction_checks_refresh)

The import therefore points up the layers (promises imports interactions), the call order is the
order of `INSTALLED_APPS` (lower apps first), and `grep -rn "hooks\\." ascolto` lists every
connection. Unlike Django signals, a hook list names its arguments in one place and an exception
in a hook is never swallowed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


class Hooks:
    """An ordered list of functions called with the same keyword arguments."""

    def __init__(self, name: str, arguments: tuple[str, ...]):
        self.name = name
        self.arguments = arguments
        self._functions: list[Callable[..., Any]] = []

    def register(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """Add `function` (once: registering it again changes nothing). Usable as a decorator."""
        if function not in self._functions:
            self._functions.append(function)
        return function

    def unregister(self, function: Callable[..., Any]) -> None:
        self._functions.remove(function)

    def __iter__(self) -> Iterator[Callable[..., Any]]:
        return iter(list(self._functions))

    def __len__(self) -> int:
        return len(self._functions)

    def call(self, **kwargs: Any) -> list[Any]:
        """Call every function in order with `kwargs`; returns their results."""
        if set(kwargs) != set(self.arguments):
            raise TypeError(f"{self.name} takes {sorted(self.arguments)}, got {sorted(kwargs)}")
        return [function(**kwargs) for function in self]

    def __repr__(self) -> str:
        return f"<Hooks {self.name}: {len(self)} functions>"
