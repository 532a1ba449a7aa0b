"""Monitoring samples, limits, sampling plans, violation cases, recalls and the inbox."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api import database
from api.openapi import operation
from api.v1 import bp
from registry import cases, monitoring, notifications, recalls
from registry.actors import Actor
from registry.paging import Page


class PlanQuery(BaseModel):
    """Filters of the plan list."""

    province_code: str | None = Field(default=None, pattern=r"^\d{2}$")


@operation(bp, "POST", "/samples", summary="Record a monitoring sample and its results",
           tag="monitoring", body=monitoring.SampleIn, response=monitoring.SampleOut, status=201)
def create_sample(actor: Actor, body: monitoring.SampleIn) -> monitoring.SampleOut:
    """The verdict is computed from the limits; a failing sample opens a case at once."""
    session = database.session()
    sample = monitoring.record_sample(session, actor, body)
    session.commit()
    return monitoring.to_out(sample)


@operation(bp, "GET", "/samples", summary="List monitoring samples", tag="monitoring",
           query=monitoring.SampleQuery, response=Page[monitoring.SampleOut])
def list_samples(actor: Actor, query: monitoring.SampleQuery) -> Page[monitoring.SampleOut]:
    """One page of samples, newest first (partners: those taken from them)."""
    return monitoring.list_samples(database.session(), query, actor)


@operation(bp, "GET", "/samples/<int:sample_id>", summary="A monitoring sample",
           tag="monitoring", response=monitoring.SampleOut)
def get_sample(actor: Actor, sample_id: int) -> monitoring.SampleOut:
    """One sample with its results and the limits used."""
    return monitoring.to_out(monitoring.get(database.session(), sample_id, actor))


@operation(bp, "GET", "/limits", summary="Maximum residue levels and banned substances",
           tag="monitoring", response=list[monitoring.LimitOut])
def list_limits() -> list[monitoring.LimitOut]:
    """The maintained table of limits."""
    return monitoring.list_limits(database.session())


@operation(bp, "POST", "/limits", summary="Add a limit (admins)", tag="monitoring",
           body=monitoring.LimitIn, response=monitoring.LimitOut, status=201)
def create_limit(actor: Actor, body: monitoring.LimitIn) -> monitoring.LimitOut:
    """Limits change: samples keep the limit used at the time."""
    limit = monitoring.add_limit(database.session(), actor, body)
    database.session().commit()
    return monitoring.LimitOut.model_validate(limit)


@operation(bp, "POST", "/sampling-plans", summary="Plan monitoring samples", tag="monitoring",
           body=monitoring.PlanIn, response=monitoring.PlanOut, status=201)
def create_plan(actor: Actor, body: monitoring.PlanIn) -> monitoring.PlanOut:
    """N samples in a province over a period (optionally one product category)."""
    session = database.session()
    plan = monitoring.create_plan(session, actor, body)
    session.commit()
    return monitoring.plan_progress(session, plan)


@operation(bp, "GET", "/sampling-plans", summary="Sampling plans and their progress",
           tag="monitoring", query=PlanQuery, response=list[monitoring.PlanOut])
def list_plans(query: PlanQuery) -> list[monitoring.PlanOut]:
    """Samples taken against each plan."""
    return monitoring.list_plans(database.session(), query.province_code)


@operation(bp, "POST", "/cases", summary="Open a violation case about lots", tag="cases",
           body=cases.CaseIn, response=cases.CaseOut, status=201)
def create_case(actor: Actor, body: cases.CaseIn) -> cases.CaseOut:
    """Snapshot the traces and notify the origin provinces' agencies."""
    session = database.session()
    case = cases.open_case(session, actor, body)
    session.commit()
    return cases.to_out(case)


@operation(bp, "GET", "/cases", summary="Violation cases concerning your provinces",
           tag="cases", query=cases.CaseQuery, response=Page[cases.CaseSummary])
def list_cases(actor: Actor, query: cases.CaseQuery) -> Page[cases.CaseSummary]:
    """Cases found in, or originating from, the agency's provinces."""
    return cases.list_cases(database.session(), actor, query)


@operation(bp, "GET", "/cases/<int:case_id>", summary="A violation case with its trace snapshot",
           tag="cases", response=cases.CaseOut)
def get_case(actor: Actor, case_id: int) -> cases.CaseOut:
    """The case, its lots, the trace when opened, the agencies and the timeline."""
    return cases.to_out(cases.get(database.session(), actor, case_id))


@operation(bp, "POST", "/cases/<int:case_id>/actions",
           summary="Add a note or action, or move the case on", tag="cases",
           body=cases.CaseActionIn, response=cases.CaseOut)
def add_case_action(actor: Actor, case_id: int, body: cases.CaseActionIn) -> cases.CaseOut:
    """open -> traced -> recall_ordered -> closed."""
    session = database.session()
    case = cases.add_action(session, actor, case_id, body)
    session.commit()
    return cases.to_out(case)


@operation(bp, "POST", "/recalls", summary="Order a recall", tag="recalls",
           body=recalls.RecallIn, response=recalls.RecallOut, status=201)
def create_recall(actor: Actor, body: recalls.RecallIn) -> recalls.RecallOut:
    """scope forward: the lots and everything made from them; origin: back to the harvests
    first. The lots become recalled at once and every recipient is notified."""
    session = database.session()
    recall = recalls.order_recall(session, actor, body)
    session.commit()
    return recalls.to_out(session, recall)


@operation(bp, "GET", "/recalls/<int:recall_id>", summary="A recall with recipients and progress",
           tag="recalls", response=recalls.RecallOut)
def get_recall(actor: Actor, recall_id: int) -> recalls.RecallOut:
    """Every recipient with quantities and what it has accounted for."""
    session = database.session()
    recall = recalls.get(session, recall_id)
    recalls.ensure_may_see(session, actor, recall)
    return recalls.to_out(session, recall)


@operation(bp, "POST", "/recalls/<int:recall_id>/acknowledgements",
           summary="A recipient accounts for a recalled lot", tag="recalls",
           body=recalls.AckIn, response=recalls.RecallOut, status=201)
def acknowledge_recall(actor: Actor, recall_id: int, body: recalls.AckIn) -> recalls.RecallOut:
    """Quantity removed from sale and/or destroyed; progress follows."""
    session = database.session()
    recalls.acknowledge(session, actor, recall_id, body)
    session.commit()
    return recalls.to_out(session, recalls.get(session, recall_id))


@operation(bp, "GET", "/inbox", summary="Your inbox (province or partner notifications)",
           tag="inbox", query=notifications.InboxQuery,
           response=Page[notifications.NotificationOut])
def inbox(actor: Actor, query: notifications.InboxQuery) -> Page[notifications.NotificationOut]:
    """Cases, recalls, consumer reports and alerts for the agency's provinces or the partner."""
    return notifications.inbox(database.session(), actor, query)


@operation(bp, "POST", "/inbox/<int:notification_id>/read", summary="Mark an inbox item read",
           tag="inbox", response=notifications.NotificationOut)
def read_notification(actor: Actor, notification_id: int) -> notifications.NotificationOut:
    """Mark one item read."""
    session = database.session()
    item = notifications.mark_read(session, actor, notification_id)
    session.commit()
    return notifications.NotificationOut.model_validate(item)

