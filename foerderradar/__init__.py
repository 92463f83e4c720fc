"""Förderradar's shared core and wiring: records, config, store, stage steps, CLI, review and demo.

Installed as one package so that no generic name (``models``, ``store``, ``review``…) lands at the top
level of a user's environment; ARCHITECTURE.md says why and what lives where.
"""
