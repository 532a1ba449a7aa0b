"""Form tokens under a race: the second submission of one shown form waits for the first and
is sent where it went (SQLite: the write lock; PostgreSQL: the unique key and a savepoint)."""

from __future__ import annotations

import threading
import time
from typing import Any

from registry import database, idempotency


def test_a_parallel_second_submission_waits_and_gets_the_first_ones_redirect(
        database_url: str) -> None:
    engine = database.make_engine(database_url)
    sessions = database.make_sessions(engine)
    claimed, results = threading.Event(), {}

    def first() -> None:
        with sessions() as session:
            database.begin_write(session)
            results["first"] = idempotency.claim_form(session, "u1", "tok-" + "a" * 20)
            idempotency.complete_form(session, "u1", "tok-" + "a" * 20, "/partners/1/stock")
            claimed.set()
            time.sleep(0.4)  # the write takes a while; the second tap arrives meanwhile
            session.commit()

    def second() -> None:
        claimed.wait(5)
        with sessions() as session:
            database.begin_write(session)
            results["second"] = idempotency.claim_form(session, "u1", "tok-" + "a" * 20)
            session.commit()

    threads: list[Any] = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert results == {"first": None, "second": "/partners/1/stock"}
