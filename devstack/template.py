"""Reading infra/resources.yaml: CloudFormation's YAML tags and the few intrinsics it uses.

The local stack and the tests create their table, queues, bucket and key from the
very template that is deployed, so local and AWS cannot drift apart.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
RESOURCES_TEMPLATE = ROOT / "infra" / "resources.yaml"
ACCOUNT_ID = "123456789012"


class _Loader(yaml.SafeLoader):
    pass


def _tag(name: str):  # type: ignore[no-untyped-def]
    def construct(loader: yaml.Loader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "Fn::GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {name: value}

    return construct


for _short, _full in {
    "!Ref": "Ref",
    "!Sub": "Fn::Sub",
    "!GetAtt": "Fn::GetAtt",
    "!Join": "Fn::Join",
    "!If": "Fn::If",
    "!Equals": "Fn::Equals",
    "!Not": "Fn::Not",
    "!Select": "Fn::Select",
}.items():
    _Loader.add_constructor(_short, _tag(_full))


def load(path: Path = RESOURCES_TEMPLATE) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_Loader)


class Resolver:
    """Resolves Ref / Fn::Sub / Fn::GetAtt against parameters and created resources."""

    def __init__(self, parameters: dict[str, str], region: str) -> None:
        self.values: dict[str, str] = {
            **parameters,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Region": region,
            "AWS::Partition": "aws",
            "AWS::StackName": "atiende-local",
        }
        self.attributes: dict[str, str] = {}

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            return self.values[value["Ref"]]
        if set(value) == {"Fn::GetAtt"}:
            resource, attribute = value["Fn::GetAtt"]
            return self.attributes[f"{resource}.{attribute}"]
        if set(value) == {"Fn::Sub"}:
            return re.sub(
                r"\$\{([^}]+)\}",
                lambda m: self.values.get(m.group(1)) or self.attributes[m.group(1)],
                value["Fn::Sub"],
            )
        return {k: self.resolve(v) for k, v in value.items()}
