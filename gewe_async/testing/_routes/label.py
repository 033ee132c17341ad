"""The fake's ``/label/*`` endpoints."""

from __future__ import annotations
