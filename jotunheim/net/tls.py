# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""TLS failures told plainly: which host, and what about its certificate failed.

Loaded only when a connection fails (the Loki client, OTA downloads), so it costs nothing
while TLS works. Certificate checking itself is the SSL context's
(:func:`jotunheim.net.session.get_ssl_context`): on by default, host name included.
"""

# mbedTLS error codes a board's ssl module raises as OSError(code): what they mean.
_MBEDTLS = {
    -9984: "certificate verify failed",  # MBEDTLS_ERR_X509_CERT_VERIFY_FAILED
    -0x7780: "the server sent a fatal TLS alert",  # MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE
    -0x7200: "TLS handshake failed: bad message",  # MBEDTLS_ERR_SSL_INVALID_RECORD
}


def tls_problem(exc, host):
    """A clear sentence for a TLS failure reaching ``host`` (``"certificate verify failed
    for loki.local: ..."``), or None when ``exc`` is not one."""
    name = type(exc).__name__
    if name == "SSLCertVerificationError":  # CPython: the reason is in verify_message
        reason = getattr(exc, "verify_message", None) or str(exc)
        return (
            "certificate verify failed for %s: %s (check the CA in JOTUNHEIM_CA_CERT or"
            " network.ca_cert_file, and that the certificate names %s)" % (host, reason, host)
        )
    if name.startswith("SSL"):
        return "TLS with %s failed: %s" % (host, exc)
    code = exc.args[0] if isinstance(exc, OSError) and exc.args else None
    if code in _MBEDTLS:
        return "%s for %s (mbedTLS %d)" % (_MBEDTLS[code], host, code)
    return None
