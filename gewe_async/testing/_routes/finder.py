"""The fake's ``/finder/*`` endpoints."""

from __future__ import annotations
