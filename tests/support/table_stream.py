"""The table's stream handed to app.py's effects handler as Lambda would hand it.

What a stored item causes (search words, notifications, integration events,
auto-replies, outbound sends, a merge's copies) follows from the table's stream
(chalicelib/jobs/effects.py). Tests call :func:`run_effects` after the writes whose
effects they look at, as the local worker would have, moments later.
"""

from __future__ import annotations

import app
from devstack.worker import TableStream, stream_consumers

_STREAMS: dict[str, TableStream] = {}


def table_stream() -> TableStream:
    """The reader of the current table's stream (it remembers where it stopped)."""
    [(source, handler)] = stream_consumers(app)
    reader = TableStream(source, handler)
    arn = reader.stream_arn()
    assert arn, "the table has no stream: infra/resources.yaml's StreamSpecification?"
    return _STREAMS.setdefault(arn, reader)


def run_effects() -> int:
    """Apply the effects of every change not yet handled; returns how many records came."""
    return table_stream().drain()
