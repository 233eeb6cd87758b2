"""Read-only views of the outbox for the operator page and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from .models import NATIONAL, Delivery, DeliveryState, WebhookSubscription

PAGE_SIZE = 100


def state_counts() -> dict[str, int]:
    counts = {s.value: 0 for s in DeliveryState}
    for row in Delivery.objects.values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    return counts


def deliveries(*, state: str = "", destination: str = "", limit: int = PAGE_SIZE) -> QuerySet[Delivery]:
    rows = Delivery.objects.select_related("outbox_event", "subscription").order_by("-id")
    if state in DeliveryState.values:
        rows = rows.filter(state=state)
    if destination:
        rows = rows.filter(destination=destination)
    return rows[:limit]


@dataclass(frozen=True)
class Row:
    delivery: Delivery
    dossier_code: str
    destination_label: str

    @property
    def can_act(self) -> bool:
        return self.delivery.state in (DeliveryState.DEAD, DeliveryState.PENDING)


def rows(items: QuerySet[Delivery]) -> list[Row]:
    from motcua.dossiers.models import Dossier

    items_list = list(items)
    codes: dict[int, Any] = dict(
        Dossier.objects.filter(pk__in={d.dossier_id for d in items_list}).values_list("pk", "code")
    )
    out = []
    for d in items_list:
        label = (
            _("Cổng DVCQG")
            if d.destination == NATIONAL
            else (d.subscription.name if d.subscription else d.destination)
        )
        out.append(Row(d, codes.get(d.dossier_id) or f"#{d.dossier_id}", label))
    return out


def destinations() -> list[tuple[str, str]]:
    found = [(NATIONAL, _("Cổng DVCQG"))]
    found += [(f"webhook:{s.pk}", s.name) for s in WebhookSubscription.objects.all()]
    return found
