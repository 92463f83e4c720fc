"""Alerts: each mailing list's digest (select → render → deliver; at most one distinct digest per period) and the admin notice."""

from alerts.digest import (
    DeliveryReport,
    Failed,
    Sent,
    build_digest,
    describe_filters,
    make_transport,
    plan_for,
    preview,
    send_admin_notice,
    send_digests,
    send_pending,
)
from alerts.send import DeliveryError

__all__ = [
    "DeliveryError",
    "DeliveryReport",
    "Failed",
    "Sent",
    "build_digest",
    "describe_filters",
    "make_transport",
    "plan_for",
    "preview",
    "send_admin_notice",
    "send_digests",
    "send_pending",
]
