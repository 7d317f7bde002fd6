from __future__ import annotations

import pytest

from ascolto.lib.hooks import Hooks


def test_functions_run_in_order_once_each():
    seen: list[tuple[str, int]] = []
    hooks = Hooks("saved", ("value",))

    def first(*, value):
        seen.append(("first", value))
        return 1

    def second(*, value):
        seen.append(("second", value))
        return 2

    hooks.register(first)
    hooks.register(second)
    hooks.register(first)
    assert hooks.call(value=7) == [1, 2]
    assert seen == [("first", 7), ("second", 7)]
    hooks.unregister(first)
    assert len(hooks) == 1


def test_wrong_arguments_are_an_error_and_exceptions_propagate():
    hooks = Hooks("saved", ("value",))
    with pytest.raises(TypeError):
        hooks.call(other=1)

    @hooks.register
    def broken(*, value):
        raise ValueError(value)

    with pytest.raises(ValueError):
        hooks.call(value=3)
