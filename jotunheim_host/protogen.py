# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Generator: ``proto/*.proto`` -> compact field-table modules for ``jotunheim.pb``.

protoc (through ``grpc_tools``) parses the .proto files into a FileDescriptorSet; this
module turns each file's messages into one ``TABLES`` string, a line of field rows per
message, and a module ``__getattr__`` that makes a message's class when it is first looked
up (``jotunheim.pb.message``) and its table when the class is first used: a board holds
only the messages it uses. No per-field code is emitted: the runtime in
``jotunheim/pb/__init__.py`` walks the tables.

The betterproto reference modules (desktop codec used by the tests) are generated from
the same files by ``generate_betterproto``.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
PB_DIR = ROOT / "jotunheim" / "pb"
REFERENCE_DIR = ROOT / "jotunheim_host" / "reference_pb"

FD = descriptor_pb2.FieldDescriptorProto
_LENGTH_DELIMITED = {FD.TYPE_STRING, FD.TYPE_BYTES, FD.TYPE_MESSAGE}
# Runtime flag bits and type numbers (jotunheim/pb/__init__.py keeps them private).
REPEATED, PACKED, MAP, OPTIONAL, ONEOF_SHIFT = 1, 2, 4, 8, 4
DOUBLE, FLOAT, INT64, UINT64, INT32, FIXED64, FIXED32, BOOL, STRING = 1, 2, 3, 4, 5, 6, 7, 8, 9
MESSAGE, BYTES, UINT32, ENUM, SFIXED32, SFIXED64, SINT32, SINT64 = 11, 12, 13, 14, 15, 16, 17, 18


def descriptor_set(proto_files, include_dir):
    """Run protoc and return the parsed FileDescriptorSet."""
    from grpc_tools import protoc  # host-only dependency

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "set.pb")
        args = [
            "protoc",
            "-I" + str(include_dir),
            "--include_imports",
            "--descriptor_set_out=" + out,
        ]
        args += [str(p) for p in proto_files]
        if protoc.main(args) != 0:
            raise RuntimeError("protoc failed on %s" % ", ".join(map(str, proto_files)))
        fds = descriptor_pb2.FileDescriptorSet()
        with open(out, "rb") as fh:
            fds.ParseFromString(fh.read())
    return fds


class _Names:
    """Maps fully qualified proto type names to Python expressions in a module."""

    def __init__(self, fds):
        self.owner = {}  # ".pkg.Msg" -> (file name, python class name)
        self.map_entries = set()
        self.entries = {}  # map entry type name -> its DescriptorProto
        self.enums = {}  # enum type name -> its EnumDescriptorProto
        for f in fds.file:
            prefix = "." + f.package if f.package else ""
            for msg in f.message_type:
                self._walk(f.name, prefix, msg, "")
            for enum in f.enum_type:
                self.owner[prefix + "." + enum.name] = (f.name, enum.name)
                self.enums[prefix + "." + enum.name] = enum

    def _walk(self, file_name, prefix, msg, outer):
        full = prefix + "." + msg.name
        py = (outer + "_" + msg.name) if outer else msg.name
        if msg.options.map_entry:  # no class: the runtime reads map entries itself
            self.map_entries.add(full)
            self.entries[full] = msg
        self.owner[full] = (file_name, py)
        for nested in msg.nested_type:
            self._walk(file_name, full, nested, py)
        for enum in msg.enum_type:
            self.owner[full + "." + enum.name] = (file_name, py + "_" + enum.name)
            self.enums[full + "." + enum.name] = enum

    def table_ref(self, type_name, current_file, imports):
        """How TABLES names a message type: "Msg" in its own module, "_stem_Msg" (imported
        under that name) from another one."""
        file_name, py = self.owner[type_name]
        if file_name == current_file:
            return py
        stem = module_stem(file_name)
        imports.add((stem, py))
        return "_%s_%s" % (stem, py)

    def map_spec(self, type_name, current_file, imports):
        """A map field's entry as "key kind value kind[ value message]"."""
        entry = self.entries[type_name]
        key, value = entry.field[0], entry.field[1]
        spec = "%d %d" % (key.type, value.type)
        if value.type == FD.TYPE_MESSAGE:
            spec += " " + self.table_ref(value.type_name, current_file, imports)
        return spec


def module_stem(proto_name):
    return Path(proto_name).stem


def _messages(file_proto):
    """Every message of a file, nested ones included, parents first."""
    out = []

    def walk(msg, prefix):
        if msg.options.map_entry:  # maps need no class: the runtime reads entries itself
            return
        out.append((prefix + "." + msg.name, msg))
        for nested in msg.nested_type:
            walk(nested, prefix + "." + msg.name)

    prefix = "." + file_proto.package if file_proto.package else ""
    for msg in file_proto.message_type:
        walk(msg, prefix)
    return out


def _enums(file_proto):
    """Every enum of a file as its fully qualified name, nested ones included."""
    prefix = "." + file_proto.package if file_proto.package else ""
    out = [prefix + "." + e.name for e in file_proto.enum_type]

    def walk(msg, parent):
        for e in msg.enum_type:
            out.append(parent + "." + msg.name + "." + e.name)
        for nested in msg.nested_type:
            walk(nested, parent + "." + msg.name)

    for msg in file_proto.message_type:
        walk(msg, prefix)
    return out


def _field_flags(field, msg, names):
    flags = 0
    if field.label == FD.LABEL_REPEATED:
        if field.type == FD.TYPE_MESSAGE and field.type_name in names.map_entries:
            flags |= MAP
        else:
            flags |= REPEATED
            packed = not field.options.HasField("packed") or field.options.packed
            if field.type not in _LENGTH_DELIMITED and packed:
                flags |= PACKED
    if field.proto3_optional:
        flags |= OPTIONAL
    elif field.HasField("oneof_index"):
        real = [i for i, _ in enumerate(msg.oneof_decl) if not _is_synthetic(msg, i)]
        flags |= (real.index(field.oneof_index) + 1) << ONEOF_SHIFT
    return flags


def _is_synthetic(msg, index):
    return any(
        f.proto3_optional and f.oneof_index == index for f in msg.field if f.HasField("oneof_index")
    )


def render_module(file_proto, names, runtime="jotunheim.pb", source_dir="proto"):
    """Python source of the module for one .proto file."""
    imports = set()
    lines = []
    for full in _enums(file_proto):
        lines.append("\n\nclass %s:  # enum %s" % (names.owner[full][1], full.lstrip(".")))
        for value in names.enums[full].value:
            lines.append("    %s = %d" % (value.name, value.number))
    messages = _messages(file_proto)
    # Nested messages are reachable as attributes too (Outer.Inner), as in protobuf: set
    # when the outer class is made.
    nested = []
    for full, _msg in messages:
        parent = full.rsplit(".", 1)[0]
        if parent in names.owner and full not in names.map_entries:
            nested.append((names.owner[parent][1], full.rsplit(".", 1)[1], names.owner[full][1]))
    lines.append("\n\ndef __getattr__(name):")
    lines.append("    # A message class is made when first looked up (jotunheim.pb.message), so")
    lines.append("    # a board holds only the classes it uses.")
    if nested:
        lines.append("    cls = message(globals(), name)")
        for outer, short, inner in nested:
            lines.append('    if name == "%s":' % outer)
            lines.append('        cls.%s = getattr(sys.modules[__name__], "%s")' % (short, inner))
        lines.append("    return cls")
    else:
        lines.append("    return message(globals(), name)")
    lines.append("")
    lines.append("")
    lines.append("# Field tables, parsed on first use of a class (jotunheim.pb.fields_of). A line")
    lines.append("# per message: class name:oneof names:row;... a row: [number] name [kind [flags")
    lines.append("# [sub]]] (number: when not the previous one + 1; kind: when not 9, string)")
    lines.append('TABLES = """')
    for full, msg in messages:
        rows = []
        previous = 0
        for field in msg.field:
            flags = _field_flags(field, msg, names)
            row = field.name
            if field.number != previous + 1:
                row = "%d %s" % (field.number, row)
            previous = field.number
            if flags or field.type != FD.TYPE_STRING:
                row += " %d" % field.type
            if flags or field.type == FD.TYPE_MESSAGE:
                row += " %d" % flags
            if field.type_name in names.map_entries:
                row += " " + names.map_spec(field.type_name, file_proto.name, imports)
            elif field.type == FD.TYPE_MESSAGE:
                row += " " + names.table_ref(field.type_name, file_proto.name, imports)
            rows.append(row)
        oneofs = [o.name for i, o in enumerate(msg.oneof_decl) if not _is_synthetic(msg, i)]
        lines.append("%s:%s:%s" % (names.owner[full][1], ",".join(oneofs), ";".join(rows)))
    lines.append('"""')
    header = [
        '"""Generated from %s/%s by `jotunheim protogen`. Do not edit."""'
        % (source_dir, file_proto.name),
        "",
    ]
    if nested:
        header.append("import sys")
        header.append("")
    header.append("from %s import message" % runtime)
    for stem, py in sorted(imports):
        header.append("from %s.%s import %s as _%s_%s" % (runtime, stem, py, stem, py))
    return "\n".join(header + lines).rstrip() + "\n"


def generate(proto_dir=PROTO_DIR, out_dir=PB_DIR, runtime="jotunheim.pb"):
    """Write one module per .proto file; returns {path: source}."""
    protos = sorted(Path(proto_dir).glob("*.proto"))
    fds = descriptor_set(protos, proto_dir)
    names = _Names(fds)
    wanted = {p.name for p in protos}
    written = {}
    for file_proto in fds.file:
        if file_proto.name not in wanted:
            continue
        path = Path(out_dir) / (module_stem(file_proto.name) + ".py")
        label = os.path.relpath(str(proto_dir), str(ROOT))
        source = render_module(file_proto, names, runtime, label)
        path.write_text(source, encoding="utf-8")
        written[str(path)] = source
    return written


def generate_betterproto(proto_dir=PROTO_DIR, out_dir=REFERENCE_DIR):
    """Generate the betterproto reference package (desktop codec for differential tests)."""
    protos = sorted(str(p) for p in Path(proto_dir).glob("*.proto"))
    plugin_dir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=plugin_dir + os.pathsep + os.environ.get("PATH", ""))
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "grpc_tools.protoc", "-I" + str(proto_dir)]
        cmd += ["--python_betterproto_out=" + tmp] + protos
        subprocess.run(cmd, check=True, env=env, capture_output=True)
        if Path(out_dir).exists():
            shutil.rmtree(out_dir)
        shutil.copytree(tmp, out_dir)
