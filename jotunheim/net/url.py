# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The one URL parser of the library (gRPC client, WiFi probe, OTA, discovery): a leaf,
so that a client which only needs a URL's parts does not load :mod:`jotunheim.net.session`."""


def parse_url(url: str):
    """``(scheme, host, port, path)`` of an http(s) URL; port defaults by scheme."""
    if "://" not in url:
        raise ValueError("URL needs http:// or https://: %r" % url)
    scheme, text = url.split("://", 1)
    scheme = scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError("URL needs http:// or https://: %r" % url)
    i = text.find("/")
    host, path = (text, "/") if i < 0 else (text[:i], text[i:])
    port = 443 if scheme == "https" else 80
    if host.startswith("["):  # [IPv6]:port
        end = host.find("]")
        if host[end + 1 : end + 2] == ":":
            port = host[end + 2 :]
        host = host[1:end]
    elif ":" in host:
        host, port = host.rsplit(":", 1)
    try:
        port = int(port)
    except ValueError:
        raise ValueError("bad port in URL %r" % url) from None
    if not host:
        raise ValueError("URL has no host: %r" % url)
    return scheme, host, port, path
