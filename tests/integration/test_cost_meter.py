"""The cost meter against DynamoDB Local: what each call costs, as AWS would bill it.

The numbers asserted here were checked against what DynamoDB Local reports. It
reports single-item calls, queries and TransactGetItems as AWS bills them; it
under-reports a TransactWriteItems (equal per-item amounts are added up once), which
the meter corrects (chalicelib/store/meter.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from pynamodb.attributes import UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.transactions import TransactGet, TransactWrite

from chalicelib.store.base import Item
from chalicelib.store.meter import measure
from chalicelib.store.platform import last_heartbeats, record_heartbeat

pytestmark = pytest.mark.ddb_local


class Probe(Item, discriminator="TestProbe"):
    """A throwaway item type: a payload and, when given, keys of two indexes."""

    payload = UnicodeAttribute(null=True)
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)


def _pk() -> str:
    return f"TEST#meter#{uuid.uuid4().hex[:8]}"


def _connection() -> Connection:
    return Connection(host=Probe.Meta.host, region=Probe.Meta.region)


def _raw_client() -> object:
    return boto3.client("dynamodb", endpoint_url=Probe.Meta.host, region_name=Probe.Meta.region)


def test_a_get_of_a_small_item_costs_one_request_and_half_a_read_unit():
    pk = _pk()
    Probe(pk, "ITEM", payload="hello").save()

    with measure() as m:
        found = Probe.get(pk, "ITEM")

    assert found.payload == "hello"
    assert m.requests == 1 and m.count("GetItem") == 1
    assert m.read_units == 0.5  # eventually consistent, up to 4 KB
    assert m.write_units == 0 and m.write_requests == 0


def test_a_strongly_consistent_get_costs_a_whole_read_unit():
    pk = _pk()
    Probe(pk, "ITEM").save()

    with measure() as m:
        Probe.get(pk, "ITEM", consistent_read=True)

    assert m.read_units == 1.0


def test_a_get_of_a_missing_item_still_costs_half_a_read_unit():
    with measure() as m, pytest.raises(Probe.DoesNotExist):
        Probe.get(_pk(), "NOTHING")

    assert m.requests == 1 and m.read_units == 0.5


def test_a_put_costs_a_write_unit_for_the_table_and_one_per_index_it_lands_in():
    pk = _pk()
    with measure() as plain:
        Probe(pk, "PLAIN", payload="x" * 500).save()
    with measure() as indexed:
        Probe(
            pk, "INDEXED", payload="x" * 500, GSI1PK="G1", GSI1SK="a", GSI2PK="G2", GSI2SK="a"
        ).save()
    with measure() as half_keyed:  # an index needs both its keys: GSI2SK missing, not in GSI2
        Probe(pk, "HALF", GSI1PK="G1", GSI1SK="b", GSI2PK="G2").save()

    assert plain.requests == 1 and plain.count("PutItem") == 1
    assert plain.write_units == 1.0 and plain.write_requests == 1
    assert indexed.write_units == 3.0  # table + GSI1 + GSI2
    assert half_keyed.write_units == 2.0
    assert plain.read_units == indexed.read_units == 0


def test_a_put_of_a_larger_item_costs_a_write_unit_per_started_kilobyte():
    with measure() as m:
        Probe(_pk(), "BIG", payload="x" * 2500).save()

    assert m.write_units == 3.0


def test_a_transaction_of_two_small_items_is_two_write_requests_and_four_write_units():
    pk = _pk()
    with measure() as m, TransactWrite(connection=_connection()) as transaction:
        transaction.save(Probe(pk, "ONE"))
        transaction.save(Probe(pk, "TWO"))

    assert m.requests == 1 and m.count("TransactWriteItems") == 1
    assert m.write_requests == 2
    assert m.write_units == 4.0  # AWS bills a transactional write double


@pytest.mark.parametrize("size", [1, 3, 5])
def test_a_transaction_costs_two_write_units_per_small_item_whatever_its_size(size):
    pk = _pk()
    with measure() as m, TransactWrite(connection=_connection()) as transaction:
        for n in range(size):
            transaction.save(Probe(pk, f"ITEM#{n}"))

    assert m.write_requests == size
    assert m.write_units == 2.0 * size


def test_a_transaction_bills_every_index_copy_and_every_started_kilobyte_double():
    pk = _pk()
    with measure() as m, TransactWrite(connection=_connection()) as transaction:
        for n in range(3):
            transaction.save(Probe(pk, f"BIG#{n}", payload="x" * 2500))  # 3 KB each
        transaction.save(Probe(pk, "INDEXED", GSI1PK="G1", GSI1SK="t"))

    assert m.write_units == 3 * (2 * 3) + (2 + 2)


def test_a_condition_check_and_an_update_in_a_transaction_cost_two_units_each():
    pk = _pk()
    Probe(pk, "GUARD").save()
    Probe(pk, "COUNTER", payload="0").save()
    counter = Probe.get(pk, "COUNTER")

    with measure() as m, TransactWrite(connection=_connection()) as transaction:
        transaction.condition_check(Probe, pk, "GUARD", condition=Probe.PK.exists())
        transaction.update(counter, actions=[Probe.payload.set("1")])

    assert m.write_requests == 2 and m.write_units == 4.0


def test_dynamodb_local_adds_equal_transactional_items_up_once():
    """Pins the engine's bug the meter corrects; if this fails, DynamoDB Local changed:
    re-check ``_billed_units`` in the meter (it takes the larger of report and rebuild)."""
    client = _raw_client()
    pk = _pk()
    response = client.transact_write_items(  # type: ignore[attr-defined]
        TransactItems=[
            {
                "Put": {
                    "TableName": Probe.Meta.table_name,
                    "Item": {"PK": {"S": pk}, "SK": {"S": sk}},
                }
            }
            for sk in ("A", "B", "C")
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    assert response["ConsumedCapacity"][0]["CapacityUnits"] == 2.0  # AWS: 6.0


def test_a_transactional_get_costs_two_read_units_per_item_and_is_not_doubled_again():
    pk = _pk()
    Probe(pk, "ONE").save()
    Probe(pk, "TWO").save()

    with measure() as m, TransactGet(connection=_connection()) as transaction:
        one = transaction.get(Probe, pk, "ONE")
        two = transaction.get(Probe, pk, "TWO")

    assert one.get().SK == "ONE" and two.get().SK == "TWO"
    assert m.requests == 1 and m.count("TransactGetItems") == 1
    assert m.read_units == 4.0 and m.write_units == 0


def test_nested_meters_each_see_every_call_of_their_block():
    pk = _pk()
    with measure() as outer:
        Probe(pk, "ITEM").save()
        with measure() as inner:
            Probe.get(pk, "ITEM")
        Probe.get(pk, "ITEM")

    assert inner.requests == 1 and inner.read_units == 0.5 and inner.write_units == 0
    assert outer.requests == 3
    assert outer.count("GetItem") == 2 and outer.count("PutItem") == 1
    assert outer.read_units == 1.0 and outer.write_units == 1.0
    assert outer.summary() == {
        "requests": 3,
        "read_units": 1.0,
        "write_units": 1.0,
        "by_operation": {"GetItem": 2, "PutItem": 1},
    }


def test_a_query_returning_many_items_is_one_request_billed_by_their_total_size():
    pk = _pk()
    for n in range(10):
        Probe(pk, f"SMALL#{n:02d}", payload="x" * 100).save()
    for n in range(3):
        Probe(pk, f"LARGE#{n}", payload="x" * 2000).save()

    with measure() as small:
        found = list(Probe.query(pk, Probe.SK.startswith("SMALL#")))
    with measure() as large:
        big = list(Probe.query(pk, Probe.SK.startswith("LARGE#")))
    with measure() as empty:
        nothing = list(Probe.query(_pk()))

    assert len(found) == 10 and small.requests == 1 and small.count("Query") == 1
    assert small.read_units == 0.5  # ~1.2 KB together: one 4 KB read, eventually consistent
    assert len(big) == 3 and large.requests == 1
    assert large.read_units == 1.0  # ~6 KB together: two 4 KB reads
    assert nothing == [] and empty.requests == 1
    assert empty.read_units == 0.0  # what DynamoDB Local reports for a query that finds nothing


def test_last_heartbeats_is_exactly_one_request():
    at = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    for n, job in enumerate(("platform_heartbeat", "sla_sweep", "token_expiry")):
        record_heartbeat(job, at - timedelta(minutes=n))

    with measure() as m:
        beats = last_heartbeats()

    assert set(beats) == {"platform_heartbeat", "sla_sweep", "token_expiry"}
    assert m.requests == 1 and m.count("Query") == 1
    assert m.read_units == 0.5 and m.write_units == 0


def test_record_heartbeat_is_one_put_of_one_write_unit():
    with measure() as m:
        record_heartbeat("platform_heartbeat", datetime(2026, 3, 2, 12, 0, tzinfo=UTC))

    assert m.requests == 1 and m.count("PutItem") == 1 and m.write_units == 1.0


def test_a_failed_conditional_write_is_counted_as_a_failed_request():
    pk = _pk()
    Probe(pk, "ONCE").save()

    with measure() as m, pytest.raises(Exception, match="ConditionalCheckFailed"):
        Probe(pk, "ONCE").save(condition=Probe.PK.does_not_exist())

    assert m.requests == 1 and m.operations["PutItem"].failed == 1
    assert m.write_units == 0  # the error carries no capacity: the meter cannot see it


def test_the_status_route_reads_the_table_once(api):
    record_heartbeat("platform_heartbeat", datetime.now(UTC))

    with measure() as m:
        response = api.get("/v1/status")

    assert response.status_code == 200
    assert m.requests == 1 and m.count("Query") == 1
    assert m.read_units == 0.5 and m.write_units == 0
