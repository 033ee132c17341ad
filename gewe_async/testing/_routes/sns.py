"""The fake's ``/sns/*`` endpoints."""

from __future__ import annotations
