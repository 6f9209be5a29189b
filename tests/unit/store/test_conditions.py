"""One question, one answer: was a write refused because the item is not as it was read?"""

from datetime import UTC, datetime

import pytest
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError

from chalicelib.store import keys
from chalicelib.store.base import condition_failed, failed_conditions, lost_race, transaction
from chalicelib.store.platform import JobHeartbeat

AT = datetime(2025, 3, 1, tzinfo=UTC)


def beat(job="sla"):
    return JobHeartbeat(keys.platform_pk(), keys.heartbeat_sk(job), job=job, last_run=AT)


def test_a_put_that_finds_the_item_there_failed_its_condition():
    beat().save()
    with pytest.raises(PutError) as refused:
        beat().save(condition=JobHeartbeat.PK.does_not_exist())
    assert condition_failed(refused.value)
    assert lost_race(refused.value)


def test_an_update_or_delete_of_a_missing_item_failed_its_condition():
    with pytest.raises(UpdateError) as refused:
        beat().update(actions=[JobHeartbeat.job.set("x")], condition=JobHeartbeat.PK.exists())
    assert condition_failed(refused.value)
    with pytest.raises(DeleteError) as refused_delete:
        beat().delete(condition=JobHeartbeat.PK.exists())
    assert condition_failed(refused_delete.value)


def test_a_transaction_cancelled_by_a_condition_names_the_item():
    beat("a").save()
    with pytest.raises(TransactWriteError) as refused, transaction() as write:
        write.save(beat("a"), condition=JobHeartbeat.PK.does_not_exist())
        write.save(beat("b"))
    assert condition_failed(refused.value)
    assert lost_race(refused.value)
    assert failed_conditions(write, refused.value) == {(keys.platform_pk(), keys.heartbeat_sk("a"))}


def test_other_failures_are_not_a_failed_condition():
    assert not condition_failed(ValueError("ConditionalCheckFailed in a message"))
    assert not lost_race(RuntimeError("TransactionConflict"))
