# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""HTTPS to a local TLS reference Loki with a custom CA (issue 19): the device's Loki
client trusts the CA from settings.toml or a PEM file on CIRCUITPY and checks the
certificate and its host name; a wrong CA or host name fails with a clear error and the
device keeps running."""

import datetime
import socket

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.loki.client import LokiClient
from jotunheim.net import session
from jotunheim_host.loki.server import LokiServer
from jotunheim_host.simulate import SimulatedDevice

PEM = serialization.Encoding.PEM


def _name(text):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def make_ca(name="Test Home CA"):
    """``(cert, key)`` of a CA valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(_name(name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def server_cert(ca, ca_key, dns_name):
    """A server certificate for ``dns_name`` signed by the CA: ``(cert_pem, key_pem)``."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(dns_name))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .add_extension(x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), False)
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(PEM), key_pem


@pytest.fixture(scope="module")
def ca():
    return make_ca()


def tls_loki(tmp_path, ca, dns_name="localhost"):
    cert_pem, key_pem = server_cert(ca[0], ca[1], dns_name)
    (tmp_path / "loki.crt").write_bytes(cert_pem)
    (tmp_path / "loki.key").write_bytes(key_pem)
    return LokiServer(
        str(tmp_path / "scripts"),
        tls_cert=str(tmp_path / "loki.crt"),
        tls_key=str(tmp_path / "loki.key"),
        threads=4,
        workers=1,
    )


def ca_pem(ca):
    return ca[0].public_bytes(PEM).decode("ascii")


@pytest.fixture(autouse=True)
def fresh_contexts():
    session.reset_cache()
    yield
    session.reset_cache()


def https_url(loki, host="localhost"):
    return "https://%s:%d" % (host, loki.port)


def test_loki_client_trusts_a_custom_ca_and_checks_the_certificate(tmp_path, ca):
    with tls_loki(tmp_path, ca) as loki:
        assert loki.url.startswith("https://")
        client = LokiClient(https_url(loki), ca_cert=ca_pem(ca), socket_pool=socket)
        assert client.get_capabilities() is not None
        client.close()  # else the next client reuses its kept-alive, verified socket
        # Certificate checking is on by default: without the CA the same call fails.
        plain = LokiClient(https_url(loki), socket_pool=socket, timeout=5)
        with pytest.raises(GrpcError) as info:
            plain.get_capabilities()
        assert info.value.code == StatusCode.UNAVAILABLE
        assert info.value.message.startswith("certificate verify failed for localhost: ")


def test_a_wrong_ca_fails_clearly(tmp_path, ca):
    other = make_ca("Someone Else's CA")
    with tls_loki(tmp_path, ca) as loki:
        client = LokiClient(https_url(loki), ca_cert=ca_pem(other), socket_pool=socket)
        with pytest.raises(GrpcError) as info:
            client.get_capabilities()
    message = info.value.message
    assert message.startswith("certificate verify failed for localhost: "), message
    assert "unable to get local issuer certificate" in message
    assert "JOTUNHEIM_CA_CERT" in message


def test_a_wrong_host_name_fails_clearly(tmp_path, ca):
    with tls_loki(tmp_path, ca, dns_name="loki.local") as loki:
        client = LokiClient(https_url(loki), ca_cert=ca_pem(ca), socket_pool=socket)
        with pytest.raises(GrpcError) as info:
            client.get_capabilities()
    message = info.value.message
    assert message.startswith("certificate verify failed for localhost: "), message
    assert "Hostname mismatch" in message and "names localhost" in message


def _device_root(tmp_path, loki_url, ca_text, in_file):
    root = tmp_path / "root"
    root.mkdir()
    toml = 'JOTUNHEIM_TOKEN = "t0ken-for-tls"\n'
    settings = '{"network": {"loki_url": "%s"%s}}'
    if in_file:
        (root / "loki-ca.pem").write_text(ca_text)
        settings = settings % (loki_url, ', "ca_cert_file": "loki-ca.pem"')
    else:
        # One line, as CircuitPython's settings.toml wants it: the PEM's line breaks as \n.
        toml += 'JOTUNHEIM_CA_CERT = "%s"\n' % ca_text.strip().replace("\n", "\\n")
        settings = settings % (loki_url, "")
    (root / "settings.toml").write_text(toml)
    (root / "jotunheim.json").write_text(settings)
    return str(root)


def _wait_state(sim, want, seconds=15.0):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and sim.device.loki_state != want:
        time.sleep(0.05)
    return sim.device.loki_state


@pytest.mark.parametrize("in_file", [False, True], ids=["settings.toml", "pem-file"])
def test_device_negotiates_with_a_tls_loki_through_its_custom_ca(tmp_path, ca, in_file):
    with tls_loki(tmp_path, ca) as loki:
        root = _device_root(tmp_path, https_url(loki), ca_pem(ca), in_file)
        with SimulatedDevice(root) as sim:
            assert _wait_state(sim, "ok") == "ok"


def test_device_with_a_wrong_ca_stays_offline_says_why_and_keeps_serving(tmp_path, ca):
    other = make_ca("Someone Else's CA")
    with tls_loki(tmp_path, ca) as loki:
        root = _device_root(tmp_path, https_url(loki), ca_pem(other), in_file=False)
        with SimulatedDevice(root) as sim:
            _wait_state(sim, "never", seconds=2.0)
            assert sim.device.loki_state == "offline"
            error = sim.device.loki_link.error
            assert "certificate verify failed for localhost" in str(error), error
            steps = sim.device.steps
            _wait_state(sim, "never", seconds=0.5)
            assert sim.device.steps > steps  # the device keeps running
