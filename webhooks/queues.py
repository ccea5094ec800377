"""The tables of outgoing messages that the delivery machinery sends.

Webhook deliveries are one; alerts (above this layer) register another. Each names its
delivery and attempt models, the model of the targets they go to (a webhook endpoint,
an alert channel: the unit of the concurrency cap and of health), and how a claimed
delivery becomes a request.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import models


@dataclass(frozen=True)
class Queue:
    name: str
    delivery: type[models.Model]  # a DeliveryState
    attempt: type[models.Model]  # an AttemptLog, whose `delivery` is the delivery
    target: type[models.Model]  # a DeliveryTarget
    target_field: str  # the delivery's foreign key to its target
    concurrency: Callable[[], int]  # deliveries in flight per target at most
    # (delivery ids claimed under a token, that token, now) -> (jobs, ids of deliveries
    # that cannot be sent: target disabled or gone, its secret unreadable; they are cancelled)
    jobs: Callable[[Sequence[str], str, datetime], tuple[list, list[str]]]

    @property
    def target_id(self) -> str:
        return f"{self.target_field}_id"


_queues: dict[str, Queue] = {}


def register(queue: Queue) -> None:
    _queues[queue.name] = queue


def get(name: str) -> Queue:
    return _queues[name]


def all_queues() -> list[Queue]:
    return list(_queues.values())
