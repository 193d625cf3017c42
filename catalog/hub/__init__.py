"""The only code that talks to the Hub's API: listings, retries, and record/replay of snapshots."""

from __future__ import annotations

from catalog.hub.client import HubClient, Page
from catalog.hub.faults import Fault, Request
from catalog.hub.replay import ReplayServer
from catalog.hub.snapshot import Snapshot, SnapshotWriter, write_snapshot

__all__ = [
    "Fault",
    "HubClient",
    "Page",
    "ReplayServer",
    "Request",
    "Snapshot",
    "SnapshotWriter",
    "write_snapshot",
]
