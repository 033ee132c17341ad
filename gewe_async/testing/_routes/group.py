"""The fake's ``/group/*`` endpoints."""

from __future__ import annotations
