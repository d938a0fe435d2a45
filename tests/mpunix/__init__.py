"""Runs Jotunheim under MicroPython's Unix port on real sockets (see README.md)."""
