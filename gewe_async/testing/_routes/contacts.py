"""The fake's ``/contacts/*`` endpoints."""

from __future__ import annotations
