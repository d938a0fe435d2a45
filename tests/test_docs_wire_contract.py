# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""docs/wire-contract.md and proto/ agree: every message, field number, name, label and
type the contract lists, and every RPC of its service tables, is in the .proto files."""

import os
import re

import pytest

from jotunheim_host import protogen

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONTRACT = os.path.join(REPO, "docs", "wire-contract.md")
SCALARS = {
    1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 8: "bool", 9: "string",
    12: "bytes", 13: "uint32", 17: "sint32", 18: "sint64",
}  # fmt: skip
TYPE_MESSAGE = 11
LABEL_REPEATED = 3


def contract_tables():
    """``(package, first cell, second cell, third cell)`` rows of the contract's tables,
    with the package of the section (or of the qualified message name) they are in."""
    package = None
    rows = []
    with open(CONTRACT, encoding="utf-8") as handle:
        for line in handle:
            heading = re.match(r"^## \d+\. `package ([\w.]+);`", line)
            if heading:
                package = heading.group(1)
            elif line.startswith("## "):
                package = None  # sections without a package: qualified names only
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if line.startswith("|") and len(cells) >= 2 and not set(cells[0]) <= set("-: "):
                rows.append((package, cells))
    return rows


def qualify(package, name):
    name = name.strip("` ")
    if "." in name:
        return name
    return "%s.%s" % (package, name) if package else None


def parse_fields(text):
    """``[(number, name, label, type)]`` of a field cell such as
    ``1 name string; 3 tags repeated string; oneof x { 6 a string; 7 b string }``."""
    text = re.sub(r"\([^)]*\)", "", text.replace("**", ""))
    text = re.sub(r"oneof \w+ \{([^}]*)\}", r"\1", text)
    fields = []
    for part in text.split(";"):
        words = part.split()
        if not words or not words[0].isdigit():
            continue
        number, name, rest = int(words[0]), words[1], words[2:]
        label = "repeated" if rest and rest[0] == "repeated" else ""
        rest = [w for w in rest if w not in ("repeated", "optional")]
        fields.append((number, name, label, rest[0]))
    return fields


@pytest.fixture(scope="module")
def proto():
    proto_dir = os.path.join(REPO, "proto")
    files = sorted(
        os.path.join(proto_dir, f) for f in os.listdir(proto_dir) if f.endswith(".proto")
    )
    fds = protogen.descriptor_set(files, proto_dir)
    messages, services = {}, {}
    for f in fds.file:
        for message in f.message_type:
            messages["%s.%s" % (f.package, message.name)] = message
        for service in f.service:
            services["%s.%s" % (f.package, service.name)] = service
    return messages, services


def type_name(field):
    if field.type == TYPE_MESSAGE:
        if field.type_name.endswith("Entry"):  # map<k,v>: a nested *Entry message
            return "map"
        return field.type_name.lstrip(".")
    return SCALARS[field.type]


def test_every_listed_field_is_in_proto(proto):
    messages, _ = proto
    checked = 0
    for package, cells in contract_tables():
        if len(cells) != 2 or cells[0] in ("message",):
            continue
        if cells[1] == "fields" or cells[1] == "added fields":
            continue
        full = qualify(package, cells[0])
        assert full in messages, "%s is in the contract but not in proto/" % full
        listed = parse_fields(cells[1])
        if cells[1] == "(empty)":
            assert not messages[full].field, full + " should be empty"
            continue
        by_number = dict((f.number, f) for f in messages[full].field)
        for number, name, label, kind in listed:
            field = by_number.get(number)
            assert field is not None, "%s field %d (%s) missing" % (full, number, name)
            assert field.name == name, "%s field %d: %s in proto" % (full, number, field.name)
            if kind.startswith("map<"):
                assert type_name(field) == "map", "%s.%s is not a map" % (full, name)
                continue
            want = kind if kind in SCALARS.values() else qualify(full.rsplit(".", 1)[0], kind)
            assert type_name(field) == want, "%s.%s: %s in proto" % (full, name, type_name(field))
            repeated = field.label == LABEL_REPEATED
            assert repeated == (label == "repeated"), "%s.%s repeated?" % (full, name)
            checked += 1
    assert checked > 80  # the tables were read at all


def test_every_listed_rpc_is_in_proto(proto):
    messages, services = proto
    rpcs = 0
    for package, cells in contract_tables():
        if len(cells) != 3 or cells[0] == "RPC" or package is None:
            continue
        service = [s for s in services if s.rsplit(".", 1)[0] == package]
        assert len(service) == 1, package
        methods = dict((m.name, m) for m in services[service[0]].method)
        assert cells[0] in methods, "%s.%s missing" % (service[0], cells[0])
        method = methods[cells[0]]
        assert method.input_type.lstrip(".") == qualify(package, cells[1])
        response = cells[2].replace("**stream**", "").strip()
        assert method.output_type.lstrip(".") == qualify(package, response)
        assert method.server_streaming == ("**stream**" in cells[2])
        rpcs += 1
    assert rpcs >= 10


def test_a_wrong_number_in_the_contract_is_caught(proto):
    messages, _ = proto
    listed = dict((n, name) for n, name, _, _ in parse_fields("1 success bool; 2 output string"))
    fields = dict((f.number, f.name) for f in messages["loki.ExecuteScriptResponse"].field)
    assert all(fields[n] == name for n, name in listed.items())
    swapped = parse_fields("2 success bool")
    assert fields[swapped[0][0]] != swapped[0][1]
