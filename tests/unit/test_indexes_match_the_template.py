"""The indexes PynamoDB queries are the indexes infra/resources.yaml creates.

Read from every model class of ``chalicelib.store`` (not from a list kept by hand), so
a new index on a model, or a changed key or projection, fails here before it fails on
AWS.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection

import chalicelib.store
from chalicelib.store.base import Item
from chalicelib.store.indexes import INDEXES
from devstack.template import load


def every_model() -> set[type[Item]]:
    for module in pkgutil.iter_modules(chalicelib.store.__path__):
        importlib.import_module(f"chalicelib.store.{module.name}")
    found: set[type[Item]] = set()
    pending = [Item]
    while pending:
        for sub in pending.pop().__subclasses__():
            found.add(sub)
            pending.append(sub)
    return found


def model_indexes() -> dict[str, dict[str, Any]]:
    """index name -> its keys and projection, as every model that uses it declares them."""
    seen: dict[str, dict[str, Any]] = {}
    for model in every_model():
        for index in vars(model).values():
            if not isinstance(index, GlobalSecondaryIndex):
                continue
            attributes = index.Meta.attributes.values()
            keys = {
                "HASH": next(a.attr_name for a in attributes if a.is_hash_key),
                "RANGE": next(a.attr_name for a in attributes if a.is_range_key),
            }
            projection = index.Meta.projection
            shape = {"keys": keys, "projection": projection.projection_type}
            if isinstance(projection, IncludeProjection):
                shape["non_key"] = sorted(projection.non_key_attributes)
            name = index.Meta.index_name
            assert seen.setdefault(name, shape) == shape, f"{model.__name__}.{name} differs"
    return seen


def template_indexes() -> dict[str, dict[str, Any]]:
    table = load()["Resources"]["Table"]["Properties"]
    found = {}
    for index in table["GlobalSecondaryIndexes"]:
        shape: dict[str, Any] = {
            "keys": {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]},
            "projection": index["Projection"]["ProjectionType"],
        }
        if "NonKeyAttributes" in index["Projection"]:
            shape["non_key"] = sorted(index["Projection"]["NonKeyAttributes"])
        found[index["IndexName"]] = shape
    return found


def test_every_index_a_model_queries_exists_in_the_template_with_the_same_keys():
    declared = model_indexes()
    assert declared, "no model declares an index: the search above is broken"
    template = template_indexes()
    for name, shape in declared.items():
        assert template.get(name) == shape, (name, template.get(name), shape)


def test_the_template_creates_no_index_nobody_declares():
    assert set(template_indexes()) == set(model_indexes()) == set(INDEXES)
    for name, (pk, sk) in INDEXES.items():  # the cost meter's list of index keys
        assert template_indexes()[name]["keys"] == {"HASH": pk, "RANGE": sk}


def test_polymorphic_indexes_project_the_discriminator():
    # a KEYS_ONLY index on a polymorphic model returns nothing (ENGINEERING.md)
    for name, shape in model_indexes().items():
        assert shape["projection"] == AllProjection.projection_type or "cls" in shape.get(
            "non_key", []
        ), name
