import json

from chalicelib import aws as aws_clients
from chalicelib.jobs.scheduled import platform_heartbeat


def test_status_reports_every_component_ok(api):
    platform_heartbeat()
    response = api.get("/v1/status")
    assert response.status_code == 200
    body = json.loads(response.body)
    assert body["status"] == "ok"
    states = {c["name"]: c["state"] for c in body["components"]}
    assert states == {"database": "ok", "queues": "ok", "storage": "ok", "scheduler": "ok"}
    queues = next(c for c in body["components"] if c["name"] == "queues")
    assert queues["details"]["depth"]["mail-dlq"] == 0
    assert all(c["latency_ms"] is not None for c in body["components"][:3])


def test_a_scheduler_that_never_ran_is_waiting_not_down(api):
    body = json.loads(api.get("/v1/status").body)
    scheduler = next(c for c in body["components"] if c["name"] == "scheduler")
    assert scheduler["state"] == "ok"
    assert scheduler["details"]["jobs"]["platform_heartbeat"]["state"] == "waiting"


def test_status_is_503_when_the_bucket_is_gone(api):
    s3 = aws_clients.client("s3")
    from chalicelib.settings import get_settings

    s3.delete_bucket(Bucket=get_settings().bucket)
    response = api.get("/v1/status")
    assert response.status_code == 503
    body = json.loads(response.body)
    storage = next(c for c in body["components"] if c["name"] == "storage")
    assert body["status"] == "down" and storage["state"] == "down"


def test_status_is_503_when_a_queue_is_missing(api):
    sqs = aws_clients.client("sqs")
    sqs.delete_queue(QueueUrl=aws_clients.queue_url("mail-dlq"))
    aws_clients.reset()
    response = api.get("/v1/status")
    assert response.status_code == 503


def test_a_late_scheduler_makes_the_platform_down(api, frozen_clock):
    from datetime import timedelta

    platform_heartbeat()
    frozen_clock.advance(timedelta(minutes=10))
    response = api.get("/v1/status")
    body = json.loads(response.body)
    scheduler = next(c for c in body["components"] if c["name"] == "scheduler")
    assert response.status_code == 503
    assert scheduler["state"] == "late"
