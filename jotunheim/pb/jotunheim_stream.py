"""Generated from proto/jotunheim_stream.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import Message


class StreamChunk(Message):
    pass


MESSAGES = (StreamChunk,)

# Field tables, parsed on first use of a class (jotunheim.pb.fields_of), so importing
# this module costs only the classes. Line i is the class MESSAGES[i]:
# oneof names:row;... a row: [number] name [kind [flags [sub]]] (number: when
# not the previous one + 1; kind: when not 9, string)
TABLES = """
:stream_id;sequence 4;timestamp_ms 4;payload 12;end_of_stream 8;kind;sample_format;rate 13
"""
