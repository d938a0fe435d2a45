# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Fake of CircuitPython's ``ssl`` for the MicroPython runner: no encryption.

``wrap_socket`` returns the fake socket itself after recording ``server_hostname`` on it, so
https:// requests run over the scripted plaintext bytes of ``fake_net``.
"""

CERT_NONE = 0
CERT_REQUIRED = 2


class SSLError(OSError):
    pass


class SSLContext:
    def __init__(self, protocol=None):
        self.check_hostname = True
        self.verify_mode = CERT_REQUIRED
        self.loaded_certs = []

    def load_verify_locations(self, cafile=None, capath=None, cadata=None):
        self.loaded_certs.append(cadata or cafile)

    def load_cert_chain(self, certfile, keyfile=None):
        self.loaded_certs.append(certfile)

    def set_default_verify_paths(self):
        return None

    def wrap_socket(self, sock, server_side=False, server_hostname=None):
        sock.tls_server_hostname = server_hostname
        return sock


def create_default_context():
    return SSLContext()
