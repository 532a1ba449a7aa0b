"""The hash-chained audit log: every write appends; verify names the first bad entry when an
entry was edited or removed; concurrent writers still make one chain."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from registry import (
    accounts,
    aquaculture,
    audit,
    certifications,
    growing_areas,
    partners,
    validity,
)
from registry import database as registry_database
from registry.actors import SYSTEM, Actor
from registry.models import AuditEntry, AuditHead, Role
from tests import factories

TAY_NINH = Actor(username="tayninh", role=Role.AGENCY, provinces=frozenset({"80"}))


def entries(session: Session) -> list[AuditEntry]:
    return list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())


def test_a_new_registry_has_an_empty_intact_chain(session):
    assert entries(session) == []
    assert audit.verify(session) == audit.Verdict(True, 0)


def _writes(session: Session) -> list[tuple[str, Callable[[], Any]]]:
    coop = factories.partner(session, province="80", scheme="vn2004")
    area = factories.growing_area(session, holder=coop)
    reg = factories.registration(session)
    product = factories.product(session, owner=coop)
    cert = factories.certification(session, "partner", coop.id)
    user = accounts.create_user(session, SYSTEM, accounts.UserIn(
        username="auditor", password="password-123", role=Role.ADMIN))
    suspension = validity.StatusChangeIn(status="suspended", effective_on=date(2024, 5, 1),
                                         reason="monitoring sample failed")
    return [
        ("register_partner", lambda: partners.register_partner(session, TAY_NINH, (
            partners.PartnerIn(kind="producer", name="Hộ ông Tuấn",
                               place={"province_code": "80"})))),
        ("update_partner", lambda: partners.update_partner(
            session, TAY_NINH, coop.id, partners.PartnerPatch(phone="0272 000 111"))),
        ("register_growing_area", lambda: factories.growing_area(session, holder=coop)),
        ("change_growing_area_status", lambda: growing_areas.change_status(
            session, TAY_NINH, area.code, suspension)),
        ("register_aquaculture", lambda: factories.registration(session, holder=reg.holder)),
        ("change_aquaculture_status", lambda: aquaculture.change_status(
            session, SYSTEM, reg.number, suspension)),
        ("register_product", lambda: factories.product(session, owner=coop)),
        ("record_certification", lambda: factories.certification(
            session, "product", product.id)),
        ("change_certification_status", lambda: certifications.change_status(
            session, TAY_NINH, cert.id, suspension)),
        ("add_certification_scheme", lambda: certifications.add_scheme(
            session, SYSTEM, certifications.SchemeIn(
                key=f"audit_{uuid.uuid4().hex[:8]}", name_vi="Thử", name_en="Test"))),
        ("create_user", lambda: accounts.create_user(session, SYSTEM, accounts.UserIn(
            username="second", password="password-123", role=Role.ADMIN))),
        ("create_token", lambda: accounts.create_token(session, SYSTEM, user)),
        ("revoke_tokens", lambda: accounts.revoke_tokens(session, SYSTEM, user)),
    ]


def test_every_write_appends_one_entry_chained_to_the_last(session):
    writes = _writes(session)
    for action, write in writes:
        before = entries(session)
        write()
        session.flush()
        after = entries(session)
        assert len(after) == len(before) + 1, action
        last = after[-1]
        assert last.action == action
        assert last.seq == before[-1].seq + 1 and last.prev_hash == before[-1].hash
        head = session.get(AuditHead, 1)
        assert (head.seq, head.hash) == (last.seq, last.hash)
    session.commit()
    verdict = audit.verify(session)
    assert verdict.ok and verdict.entries == len(entries(session))
    tayninh_entries = [e for e in entries(session) if e.actor == "tayninh"]
    assert {e.action for e in tayninh_entries} == {
        "register_partner", "update_partner", "change_growing_area_status",
        "change_certification_status"}


@pytest.fixture
def chain(session: Session) -> Session:
    """Six committed entries: seq 1..6."""
    coop = factories.partner(session, province="22")
    for _ in range(5):
        factories.product(session, owner=coop)
    session.commit()
    assert [e.seq for e in entries(session)] == [1, 2, 3, 4, 5, 6]
    assert audit.verify(session).ok
    return session


def test_an_edited_entry_is_named(chain):
    chain.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(
        data='{"name_vi":"something else"}'))
    chain.commit()
    verdict = audit.verify(chain)
    assert (verdict.ok, verdict.bad_seq, verdict.entries) == (False, 3, 2)
    assert "hash" in verdict.reason


def test_an_edited_actor_is_named(chain):
    chain.execute(update(AuditEntry).where(AuditEntry.seq == 1).values(actor="somebody"))
    chain.commit()
    assert audit.verify(chain).bad_seq == 1


def test_an_entry_edited_with_a_recomputed_hash_breaks_the_next_link(chain):
    e = chain.get(AuditEntry, 4)
    forged = audit.entry_hash(e.seq, e.at, "somebody", e.action, e.subject_type, e.subject_id,
                              e.data, e.prev_hash)
    chain.execute(update(AuditEntry).where(AuditEntry.seq == 4).values(
        actor="somebody", hash=forged))
    chain.commit()
    verdict = audit.verify(chain)
    assert (verdict.ok, verdict.bad_seq) == (False, 5)
    assert "link" in verdict.reason


def test_a_removed_middle_entry_is_named(chain):
    chain.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
    chain.commit()
    verdict = audit.verify(chain)
    assert (verdict.ok, verdict.bad_seq, verdict.entries) == (False, 3, 2)
    assert "missing" in verdict.reason


def test_a_removed_tail_is_named(chain):
    chain.execute(delete(AuditEntry).where(AuditEntry.seq >= 5))
    chain.commit()
    verdict = audit.verify(chain)
    assert (verdict.ok, verdict.bad_seq, verdict.entries) == (False, 5, 4)
    assert "removed" in verdict.reason


def test_verify_reads_in_batches(chain):
    assert audit.verify(chain, batch=2) == audit.Verdict(True, 6)
    chain.execute(delete(AuditEntry).where(AuditEntry.seq == 5))
    chain.commit()
    assert audit.verify(chain, batch=2).bad_seq == 5


def test_concurrent_appends_stay_one_chain(app, session):
    """Writers on several connections take turns on the head row (SELECT ... FOR UPDATE on
    PostgreSQL, BEGIN IMMEDIATE on SQLite) and never fork the chain."""
    sessions = app.extensions["nguongoc.sessions"]
    writers, appends = 4, 15
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(appends):
                with sessions() as db:
                    registry_database.begin_write(db)
                    audit.append(db, SYSTEM, "concurrency_test", "writer", f"{n}-{i}",
                                 {"writer": n, "i": i})
                    db.commit()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    session.expire_all()
    chained = entries(session)
    assert [e.seq for e in chained] == list(range(1, writers * appends + 1))
    assert len({e.subject_id for e in chained}) == writers * appends
    assert all(e.prev_hash == p.hash for p, e in zip(chained, chained[1:], strict=False))
    assert audit.verify(session) == audit.Verdict(True, writers * appends)
