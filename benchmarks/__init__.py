"""``make bench``: what each operation costs in DynamoDB requests, capacity and time.

Operations live in the modules of this package, registered with
``benchmarks.harness.operation``; ``python -m benchmarks`` runs them all
(docs/benchmarks.md).
"""
