"""The public JSON shape of a procedure version: used by the API detail and by export_procedures."""

from __future__ import annotations

from typing import Any

from .models import Channel, ChannelOffer, ProcedureVersion, VersionAgency, levels_from_text


def _fees(offer: ChannelOffer) -> list[dict[str, Any]]:
    return [
        {
            "kind": fee.kind,
            "amount": fee.amount,
            "amount_max": fee.amount_max,
            "description": fee.description,
            "collected_when": fee.collected_when,
            "raw": fee.raw,
        }
        for fee in offer.fees.all()
    ]


def _offer(offer: ChannelOffer) -> dict[str, Any]:
    return {
        "channel": offer.channel,
        "time_limit": offer.time_limit,
        "time_limit_raw": offer.time_limit_raw,
        "fees": _fees(offer),
        "description": offer.description,
        "raw": offer.raw,
    }


def _agency(row: VersionAgency) -> dict[str, Any]:
    return {
        "name": row.name,
        "identifier_code": row.agency.identifier_code if row.agency_id and row.agency else None,
    }


def prefetched(queryset: Any) -> Any:
    return queryset.select_related("procedure", "field").prefetch_related(
        "offers__fees",
        "cases__components",
        "cases__offers__fees",
        "legal_bases",
        "results",
        "agencies__agency",
    )


def version_detail(version: ProcedureVersion) -> dict[str, Any]:
    agencies: dict[str, list[dict[str, Any]]] = {}
    for row in version.agencies.all():
        agencies.setdefault(row.role, []).append(_agency(row))
    general = [offer for offer in version.offers.all() if offer.case_id is None]
    return {
        "code": version.procedure.code,
        "name": version.name,
        "version": version.number,
        "status": version.status,
        "effective_from": version.effective_from.isoformat() if version.effective_from else None,
        "effective_to": version.effective_to.isoformat() if version.effective_to else None,
        "decision": version.decision,
        "levels": levels_from_text(version.levels),
        "procedure_type": version.procedure_type,
        "field": {"code": version.field.code, "name": version.field.name} if version.field else None,
        "applicant_types": version.applicant_types,
        "agencies": {
            role: agencies.get(role, [])
            for role in ("implementing", "competent", "authorised", "coordinating", "receiving")
        },
        "steps": version.steps,
        "requirements": version.requirements,
        "channels": [_offer(offer) for offer in general],
        "cases": [
            {
                "name": case.name,
                "components": [
                    {
                        "name": c.name,
                        "form_template": c.form_template,
                        "originals": c.originals,
                        "copies": c.copies,
                        "is_required": c.is_required,
                        "has_electronic_form": c.has_electronic_form,
                        "data_reuse_sources": c.data_reuse_sources,
                    }
                    for c in case.components.all()
                ],
                "channels": [_offer(offer) for offer in case.offers.all()],
            }
            for case in version.cases.all()
        ],
        "results": [{"name": r.name, "code": r.code, "template": r.template} for r in version.results.all()],
        "legal_bases": [
            {
                "number": lb.number,
                "title": lb.title,
                "issued_on": lb.issued_on.isoformat() if lb.issued_on else None,
                "issuer": lb.issuer,
            }
            for lb in version.legal_bases.all()
        ],
        "related_procedures": version.related_procedures,
        "keywords": version.keywords,
        "description": version.description,
        "online_level": version.online_level,
        "is_eligible_full_online": version.is_eligible_full_online,
        "is_boundary_independent": version.is_boundary_independent,
        "is_accepted_at_one_stop": version.is_accepted_at_one_stop,
        "is_full_cycle_at_one_stop": version.is_full_cycle_at_one_stop,
        "supplement_clock_policy": version.supplement_clock_policy,
        "same_day_cutoff": version.same_day_cutoff.strftime("%H:%M"),
        "requires_paper_result": version.requires_paper_result,
        "source_url": version.source_url,
    }


CHANNEL_ORDER = [Channel.IN_PERSON, Channel.ONLINE, Channel.POSTAL]
