"""The rules of supplier and incoming-lot verification, as one table: a reason code, how much it
weighs (`reject` makes the verdict `rejected`, `condition` makes it `conditional`) and what it
says in Vietnamese and in English. The checks in `chains.supplier_verification` and
`chains.lot_verification` find the facts; this table alone decides what they mean.

| code | weight | when |
|---|---|---|
| no_food_safety_basis | reject | supplier: no valid food-safety certificate or commitment |
| origin_code_revoked | reject | supplier: a suspended/revoked code it harvested from (12 m.) |
| open_case | reject | supplier: an open violation case about lots it produced or received |
| open_recall | reject | supplier: an open recall covering lots it produced or received |
| sample_failed | reject | a failed monitoring sample (supplier: 12 months; lot: any in trace) |
| certificate_expiring | condition | supplier: a valid certificate expires within 30 days |
| certificate_suspended | condition | supplier: a certificate is suspended or revoked |
| origin_code_expiring | condition | supplier: an origin code expires within 30 days |
| origin_code_inactive | condition | supplier: a suspended/revoked code it no longer harvests from |
| sample_pending | condition | a sample awaits confirmation (banned substance on screening) |
| old_failure | condition | supplier: a failed sample 12 to 36 months ago (resolved since) |
| origin_invalid_at_harvest | reject | lot: a root lot's code was not valid on its harvest day |
| origin_inactive_now | condition | lot: the code was valid at harvest, suspended/revoked since |
| handler_uncertified | reject | lot: a handler lacked its required certificate at an event |
| lot_recalled, lot_on_hold, lot_destroyed | reject | lot: a lot of the trace has that status |
| lot_in_case | reject | lot: a lot of the trace is in an open violation case |
| over_yield | reject | lot: a transformation made more than its inputs allow (yield band) |
| under_yield | condition | lot: a transformation made less than the band's minimum |
| overshipped | reject | lot: a handler sent out more of a lot than it received or made |
| history_incomplete | condition | lot: a lot's history was imported incomplete |
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel


class Severity(StrEnum):
    """How much a reason weighs."""

    REJECT = "reject"  # verdict rejected; a lot check fails
    CONDITION = "condition"  # verdict conditional; a lot check warns


class Outcome(StrEnum):
    """The overall verdict of a verification."""

    APPROVED = "approved"
    CONDITIONAL = "conditional"
    REJECTED = "rejected"


CheckStatus = Literal["pass", "warn", "fail"]


@dataclass(frozen=True)
class Rule:
    """One row of the table: a reason code, its weight, its Vietnamese and English texts."""

    code: str
    severity: Severity
    vi: str
    en: str


@dataclass(frozen=True)
class Both:
    """A parameter that reads differently in each language (a status, a scheme name)."""

    vi: str
    en: str


R, C = Severity.REJECT, Severity.CONDITION
RULES: dict[str, Rule] = {rule.code: rule for rule in [
    # supplier verification
    Rule("no_food_safety_basis", R,
         "Không có giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm, bản cam kết hoặc chứng "
         "nhận tương đương còn hiệu lực (cần một trong: {schemes}).",
         "No valid food-safety certificate, commitment or equivalent certification "
         "(needs one of: {schemes})."),
    Rule("origin_code_revoked", R,
         "{origin} {code} bị {status} từ ngày {since} nhưng cơ sở vẫn thu hoạch từ đó "
         "(lô gần nhất ngày {last_harvest}).",
         "{origin} {code} is {status} since {since} but the supplier harvests from it "
         "(latest lot {last_harvest})."),
    Rule("open_case", R,
         "Vụ việc vi phạm #{case_id} đang mở, liên quan đến lô {lot_codes} mà cơ sở {involvement}.",
         "Open violation case #{case_id} concerns lots {lot_codes} the supplier {involvement}."),
    Rule("open_recall", R,
         "Lệnh thu hồi #{recall_id} chưa kết thúc, gồm lô {lot_codes} mà cơ sở {involvement}.",
         "Recall #{recall_id} is still open and covers lots {lot_codes} the supplier "
         "{involvement}."),
    Rule("sample_failed", R,
         "Mẫu giám sát #{sample_id} (lô {lot_code}, ngày {day}) không đạt: {analytes}.",
         "Monitoring sample #{sample_id} (lot {lot_code}, {day}) failed: {analytes}."),
    Rule("certificate_expiring", C,
         "{scheme} số {number} hết hạn sau {days} ngày (ngày {valid_until}).",
         "{scheme} no. {number} expires in {days} days ({valid_until})."),
    Rule("certificate_suspended", C,
         "{scheme} số {number} bị {status} từ ngày {since}.",
         "{scheme} no. {number} is {status} since {since}."),
    Rule("origin_code_expiring", C,
         "{origin} {code} hết hạn sau {days} ngày (ngày {valid_until}).",
         "{origin} {code} expires in {days} days ({valid_until})."),
    Rule("origin_code_inactive", C,
         "{origin} {code} bị {status} từ ngày {since} (không thu hoạch từ đó trong 12 tháng qua).",
         "{origin} {code} is {status} since {since} (no harvest from it in the last 12 months)."),
    Rule("sample_pending", C,
         "Mẫu giám sát #{sample_id} (lô {lot_code}, ngày {day}) đang chờ khẳng định: {analytes}.",
         "Monitoring sample #{sample_id} (lot {lot_code}, {day}) awaits confirmation: "
         "{analytes}."),
    Rule("old_failure", C,
         "Mẫu giám sát #{sample_id} không đạt ngày {day} (hơn 12 tháng trước), đã xử lý.",
         "Monitoring sample #{sample_id} failed on {day} (over 12 months ago), since resolved."),
    # incoming-lot verification
    Rule("origin_invalid_at_harvest", R,
         "{origin} {code} không có hiệu lực khi thu hoạch lô {lot_code} ngày {day} "
         "({state}).",
         "{origin} {code} was not valid when lot {lot_code} was harvested on {day} ({state})."),
    Rule("origin_inactive_now", C,
         "{origin} {code} bị {status} từ ngày {since}, sau khi thu hoạch lô {lot_code}.",
         "{origin} {code} is {status} since {since}, after lot {lot_code} was harvested."),
    Rule("handler_uncertified", R,
         "{partner} ({kind}) không có chứng nhận hợp lệ (một trong: {schemes}) khi {event} "
         "lô {lot_code} ngày {day}{more}.",
         "{partner} ({kind}) held no valid certificate (one of: {schemes}) when it {event} "
         "lot {lot_code} on {day}{more}."),
    Rule("lot_recalled", R,
         "Lô {lot_code} ({product}) đã bị thu hồi{recall}.",
         "Lot {lot_code} ({product}) is recalled{recall}."),
    Rule("lot_on_hold", R,
         "Lô {lot_code} ({product}) đang bị tạm giữ.",
         "Lot {lot_code} ({product}) is on hold."),
    Rule("lot_destroyed", R,
         "Lô {lot_code} ({product}) đã bị tiêu hủy.",
         "Lot {lot_code} ({product}) was destroyed."),
    Rule("lot_in_case", R,
         "Lô {lot_code} thuộc vụ việc vi phạm #{case_id} đang mở.",
         "Lot {lot_code} is part of open violation case #{case_id}."),
    Rule("over_yield", R,
         "{partner} làm ra {output_kg} kg từ {input_kg} kg nguyên liệu (tỷ lệ {ratio}), vượt mức "
         "tối đa {max_ratio} của định mức \"{band}\" ({kind}, ngày {day}).",
         "{partner} made {output_kg} kg from {input_kg} kg of inputs (ratio {ratio}), above the "
         "maximum {max_ratio} of the yield band \"{band}\" ({kind}, {day})."),
    Rule("under_yield", C,
         "{partner} làm ra {output_kg} kg từ {input_kg} kg nguyên liệu (tỷ lệ {ratio}), dưới mức "
         "tối thiểu {min_ratio} của định mức \"{band}\" ({kind}, ngày {day}).",
         "{partner} made {output_kg} kg from {input_kg} kg of inputs (ratio {ratio}), below the "
         "minimum {min_ratio} of the yield band \"{band}\" ({kind}, {day})."),
    Rule("overshipped", R,
         "{partner} đã xuất, dùng hoặc còn giữ {sent} {unit} lô {lot_code} nhưng chỉ nhận hoặc "
         "làm ra {inflow} {unit}.",
         "{partner} sent out, used or holds {sent} {unit} of lot {lot_code} but received or "
         "made only {inflow} {unit}."),
    Rule("history_incomplete", C,
         "Lịch sử lô {lot_code} chưa đầy đủ (nhập từ hệ thống khác); chuỗi trước đó không kiểm "
         "tra được hết.",
         "Lot {lot_code} has an incomplete history (imported); the chain before it cannot be "
         "fully checked."),
]}
"""Every reason a verification can give, by code."""


class Reason(BaseModel):
    """One reason of a verdict, in both languages, naming the lot, partner or record at fault."""

    code: str
    severity: Severity
    text_vi: str
    text_en: str
    lot_code: str | None = None
    partner_id: int | None = None
    ref: str | None = None


def _pick(params: dict[str, Any], lang: str) -> dict[str, Any]:
    picked = {}
    for key, value in params.items():
        if isinstance(value, date):  # 20/11/2026 in Vietnamese, 2026-11-20 in English
            value = Both(value.strftime("%d/%m/%Y"), value.isoformat())
        picked[key] = getattr(value, lang) if isinstance(value, Both) else value
    return picked


def reason(code: str, /, *, lot_code: str | None = None, partner_id: int | None = None,
           ref: str | None = None, **params: Any) -> Reason:
    """A reason from the table, its texts filled with `params` (Both values per language)."""
    rule = RULES[code]
    params = {"lot_code": lot_code, "partner_id": partner_id, **params}
    return Reason(code=code, severity=rule.severity, text_vi=rule.vi.format(**_pick(params, "vi")),
                  text_en=rule.en.format(**_pick(params, "en")), lot_code=lot_code,
                  partner_id=partner_id, ref=ref)


def verdict_of(reasons: Iterable[Reason]) -> Outcome:
    """rejected if any reason rejects, conditional if any conditions, else approved."""
    weights = {r.severity for r in reasons}
    if Severity.REJECT in weights:
        return Outcome.REJECTED
    if Severity.CONDITION in weights:
        return Outcome.CONDITIONAL
    return Outcome.APPROVED


def status_of(reasons: Iterable[Reason]) -> CheckStatus:
    """A check's status: fail if any reason rejects, warn if any conditions, else pass."""
    return {Outcome.REJECTED: "fail", Outcome.CONDITIONAL: "warn",
            Outcome.APPROVED: "pass"}[verdict_of(reasons)]  # type: ignore[return-value]


STATUS = {"active": Both("hoạt động", "active"), "suspended": Both("đình chỉ", "suspended"),
          "revoked": Both("hủy bỏ", "revoked")}
ORIGIN = {"growing_area": Both("Mã số vùng trồng", "Growing-area code"),
          "aquaculture_registration": Both("Đăng ký nuôi trồng thủy sản",
                                           "Aquaculture registration")}
INVOLVEMENT = {"produced": Both("đã sản xuất", "produced"),
               "received": Both("đã nhận", "received"),
               "produced_received": Both("đã sản xuất hoặc nhận", "produced or received")}
EVENT = {"harvest": Both("thu hoạch", "harvested"), "transform": Both("sơ chế, chế biến",
                                                                      "processed"),
         "ship": Both("xuất", "shipped"), "receive": Both("nhận", "received")}
VERDICT = {Outcome.APPROVED: Both("ĐẠT — chấp thuận", "APPROVED"),
           Outcome.CONDITIONAL: Both("CÓ ĐIỀU KIỆN", "CONDITIONAL"),
           Outcome.REJECTED: Both("KHÔNG ĐẠT — từ chối", "REJECTED")}


def number(value: float, digits: int = 2) -> Both:
    """A number as each language writes it (0,25 / 0.25; 1.200 / 1,200)."""
    text = f"{value:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:,.0f}"
    return Both(text.replace(",", "\x00").replace(".", ",").replace("\x00", "."), text)
