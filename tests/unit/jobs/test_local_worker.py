"""The local worker calls app.py's SQS handlers as Lambda would, retries and dead-letters."""

import json
from email import message_from_bytes

import app
from chalicelib import aws as aws_clients
from chalicelib.mail.message import OutgoingEmail, enqueue
from devstack.worker import deliver_once, sqs_consumers


def mail_consumer():
    [(source, handler)] = [(s, h) for s, h in sqs_consumers(app) if s.name == "send_mail"]
    return source, handler


def depth(queue):
    sqs = aws_clients.client("sqs")
    attributes = sqs.get_queue_attributes(
        QueueUrl=aws_clients.queue_url(queue),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def test_a_queued_email_is_sent_by_the_worker_and_removed_from_the_queue(mailbox):
    enqueue(
        OutgoingEmail(
            to=["ana@example.com"],
            subject="Hola Ana",
            text="Bienvenida 👋",
            html="<p>Bienvenida 👋</p>",
        )
    )
    source, handler = mail_consumer()
    assert deliver_once(source, handler, wait_seconds=0) == 1
    [path] = mailbox()
    message = message_from_bytes(path.read_bytes())
    assert message["To"] == "ana@example.com"
    assert message["Subject"] == "Hola Ana"
    assert message.is_multipart()
    assert depth("mail") == 0


def test_a_redelivered_email_is_kept_once(mailbox):
    email = OutgoingEmail(to=["ana@example.com"], subject="Once", text="x")
    enqueue(email)
    enqueue(email)  # the same message delivered twice
    source, handler = mail_consumer()
    deliver_once(source, handler, wait_seconds=0)
    assert len(mailbox()) == 1


def test_only_the_failed_record_is_retried_and_it_ends_in_the_dead_letter_queue(mailbox):
    sqs = aws_clients.client("sqs")
    url = aws_clients.queue_url("mail")
    # stand in for the visibility timeout passing between receives
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "0"})
    sqs.send_message(QueueUrl=url, MessageBody="this is not an email")
    enqueue(OutgoingEmail(to=["ana@example.com"], subject="Good one", text="x"))
    source, handler = mail_consumer()
    for _ in range(8):
        deliver_once(source, handler, wait_seconds=0)
    assert len(mailbox()) == 1  # the good one went out at once, and only once
    assert depth("mail") == 0
    assert depth("mail-dlq") == 1
    dead = sqs.receive_message(QueueUrl=aws_clients.queue_url("mail-dlq"))["Messages"][0]
    assert dead["Body"] == "this is not an email"


def test_the_handler_reports_partial_failures_in_lambdas_format():
    _, handler = mail_consumer()
    good = OutgoingEmail(to=["a@example.com"], subject="s", text="t").model_dump_json()
    event = {
        "Records": [
            {
                "messageId": "m-good",
                "receiptHandle": "r1",
                "body": good,
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:atiende-test-mail",
                "awsRegion": "us-east-1",
            },
            {
                "messageId": "m-bad",
                "receiptHandle": "r2",
                "body": json.dumps({"to": []}),
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:atiende-test-mail",
                "awsRegion": "us-east-1",
            },
        ]
    }
    from devstack.lambda_events import LambdaContext

    result = handler(event, LambdaContext("send_mail"))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-bad"}]}
