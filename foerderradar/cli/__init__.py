"""The ``foerderradar`` command: parses arguments, calls ``foerderradar.steps`` or a stage, prints the result.

Each stage reads and writes the database alone (crawler → calls, classifier → classifications,
review → reviews, alerts → digests/deliveries); ``steps`` runs them in order, ``scheduler.py`` on a clock.
"""

from __future__ import annotations

# each module registers its commands on ``cli`` when imported
from foerderradar.cli import members, model, review, sources, stages
from foerderradar.cli.base import EXIT_CONFIG, EXIT_FAILURE, Context, UserError, cli

__all__ = [
    "EXIT_CONFIG",
    "EXIT_FAILURE",
    "Context",
    "UserError",
    "cli",
    "main",
    "members",
    "model",
    "review",
    "sources",
    "stages",
]


def main() -> None:
    cli(prog_name="foerderradar")
