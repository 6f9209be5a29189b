"""Atiende's Chalice application: wiring only.

HTTP routes live in one blueprint per resource (``chalicelib/api``), each module
imported on its first call (``chalicelib/api/lazy.py``: cold start). SQS, table
stream and scheduled handlers are declared here (a blueprint's event handlers would
be deployed without this module) and each is a one-line delegate into ``chalicelib``.
"""

from chalice import Chalice, Rate

from chalicelib import logs
from chalicelib.api import lazy
from chalicelib.http.edge import declare_edge_routes
from chalicelib.settings import get_settings

settings = get_settings()
logs.configure(settings.log_level)

app = Chalice(app_name="atiende")
app.log.propagate = True

# each route's module is imported on the route's first call (chalicelib/api/lazy.py)
routes = lazy.install(app, settings.cors_allow_origin)
declare_edge_routes(app)  # after every route: 405 for other methods, 404 for other paths


@app.on_sqs_message(queue=settings.queue_name("mail"), batch_size=10)
def send_mail(event):
    from chalicelib.jobs import mail

    return mail.consume(event)


@app.on_sqs_message(queue=settings.queue_name("inbound"), batch_size=10)
def receive_inbound(event):
    from chalicelib.jobs import inbound

    return inbound.consume(event)


@app.on_sqs_message(queue=settings.queue_name("integrations"), batch_size=10)
def deliver_integrations(event):
    from chalicelib.jobs import integrations as deliveries

    return deliveries.handle(event)


@app.on_sqs_message(queue=settings.queue_name("outbound"), batch_size=10)
def send_outbound(event):
    from chalicelib.jobs import outbound

    return outbound.handle(event)


@app.on_sqs_message(queue=settings.queue_name("billing"), batch_size=10)
def process_billing(event):
    from chalicelib.jobs import billing

    return billing.handle(event)


@app.on_sqs_message(queue=settings.queue_name("reports"), batch_size=1)
def make_reports(event):
    from chalicelib.jobs import reports

    return reports.handle(event)


@app.on_dynamodb_record(
    stream_arn=settings.table_stream_arn, batch_size=100, starting_position="TRIM_HORIZON"
)
def apply_effects(event):
    from chalicelib.jobs import effects

    return effects.handle(event)


@app.schedule(Rate(1, unit=Rate.MINUTES))
def platform_heartbeat(event):
    from chalicelib.jobs import scheduled

    return scheduled.platform_heartbeat()


@app.schedule(Rate(1, unit=Rate.MINUTES))
def poll_channels(event):
    from chalicelib.jobs import polling

    return polling.scheduled_run()


@app.schedule(Rate(1, unit=Rate.MINUTES))
def sla_sweep(event):
    from chalicelib.jobs import sla

    return sla.scheduled_run()


@app.schedule(Rate(1, unit=Rate.MINUTES))
def effects_sweep(event):
    from chalicelib.jobs import effects_sweep

    return effects_sweep.scheduled_run()


@app.schedule(Rate(1, unit=Rate.MINUTES))
def token_expiry(event):
    from chalicelib.jobs import tokens

    return tokens.scheduled_run()
