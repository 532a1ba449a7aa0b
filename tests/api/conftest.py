"""API test fixtures: "a refused request changes nothing"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from flask import Flask

from tests.api.helpers import snapshot


@pytest.fixture
def unchanged(app: Flask) -> Callable[[], AbstractContextManager[None]]:
    """`with unchanged(): ...` asserts that no table gained or lost a row."""

    @contextmanager
    def check() -> Iterator[None]:
        before = snapshot(app)
        yield
        after = snapshot(app)
        assert after == before, {k: (before[k], after[k]) for k in before if before[k] != after[k]}

    return check
