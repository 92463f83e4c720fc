"""``python -m foerderradar`` runs the CLI (as the ``foerderradar`` command does)."""

from foerderradar.cli import main

main()
