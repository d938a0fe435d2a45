# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""TLS failures told plainly (which host, and what about its certificate failed), and the
SSL context that trusts a custom CA.

Loaded only when a connection fails (the Loki client, OTA downloads) or a custom CA is
configured, so it costs nothing while TLS with the public roots works. Certificate
checking itself is the SSL context's (:func:`jotunheim.net.session.get_ssl_context`): on by
default, host name included.
"""


def custom_ca(secrets, settings, root):
    """The custom CA certificate (PEM text) an ``https://`` connection trusts:
    ``JOTUNHEIM_CA_CERT`` from settings.toml, else the file named by
    ``network.ca_cert_file`` (relative to ``root``, CIRCUITPY); None if neither."""
    text = secrets.get("JOTUNHEIM_CA_CERT")
    if text:
        return text
    name = settings.get("network.ca_cert_file")
    if not name:
        return None
    if not name.startswith("/"):
        name = root.rstrip("/") + "/" + name
    with open(name) as file:
        return file.read()


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


def custom_context(ca_pem: str, cache: dict):
    """An SSL context that also trusts the certificate ``ca_pem`` (PEM text), held in
    ``cache`` (:mod:`jotunheim.net.session`'s) under ``"custom_ssl"``.

    One custom context at a time: TLS contexts are big on a board, and the CA comes from
    one settings key, so a new PEM replaces the old context. A PEM that does not load
    raises ValueError."""
    held = cache.get("custom_ssl")
    if held is not None and held[0] == ca_pem:
        return held[1]
    import ssl  # noqa: PLC0415

    context = ssl.create_default_context()
    try:
        context.load_verify_locations(cadata=ca_pem)
    except (ValueError, OSError) as exc:
        raise ValueError("custom CA certificate is not valid PEM: %s" % exc) from exc
    cache["custom_ssl"] = (ca_pem, context)
    return context
