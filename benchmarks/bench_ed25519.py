# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Ed25519 verify: jotunheim.ota.ed25519 next to the RFC 8032 textbook verify, in one run,
on CPython and under the MicroPython interpreter (µs and bytes allocated per verify).

    .venv/bin/python benchmarks/bench_ed25519.py [--write docs/benchmarks/ota.md]
"""

import argparse
import hashlib
import os
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "micropython"))

import bench_ota_textbook as textbook  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from jotunheim.ota import ed25519  # noqa: E402
from jotunheim_host.ota_tools import raw_public_key  # noqa: E402

textbook.sha512 = hashlib.sha512


def _cold_verify(pub, msg, sig):
    ed25519._last_key.clear()
    return ed25519.verify(pub, msg, sig)


def _cpython(pub, msg, sig, repeat):
    out = {}
    for name, fn in (
        ("jotunheim", ed25519.verify),
        ("jotunheim cold", _cold_verify),
        ("textbook", textbook.verify),
    ):
        assert fn(pub, msg, sig)
        n = repeat if name == "jotunheim" else max(20, repeat // 5)
        best = None
        for _ in range(3):
            t = time.perf_counter()
            for _ in range(n):
                fn(pub, msg, sig)
            per = (time.perf_counter() - t) / n
            best = per if best is None else min(best, per)
        out[name] = best * 1e6
    return out


def _micropython(pub, msg, sig):
    from harness import MicroPython

    out = {}
    with MicroPython(timeout=600) as mp:
        mp.write_file(
            "/bench/bench_ota_textbook.py", (ROOT / "benchmarks/bench_ota_textbook.py").read_text()
        )
        mp.exec(
            "import sys, gc\nsys.path.append('/bench')\n"
            "import bench_ota_textbook as textbook\n"
            "from jotunheim.ota import ed25519\n"
            "from jotunheim.ota.sha512 import SHA512\n"
            "textbook.sha512 = SHA512\n"
            "PUB = %r\nMSG = %r\nSIG = %r\n"
            "assert ed25519.verify(PUB, MSG, SIG) and textbook.verify(PUB, MSG, SIG)\n"
            % (pub, msg, sig)
        )
        mp.exec(
            "S = int.from_bytes(SIG[32:], 'little')\n"
            "H = int.from_bytes(SHA512(SIG[:32] + PUB + MSG).digest(), 'little') % ed25519.L\n"
            "AT = ed25519.VerifyKey(PUB)._table\n"
            "RX, RY = ed25519._decode_point(SIG[:32])\n"
            "HALF = ed25519._half_size(H)\n"
        )
        cases = {
            "jotunheim verify, same key again (table cached)": "ed25519.verify(PUB, MSG, SIG)",
            "jotunheim verify, new key (cold)": (
                "ed25519._last_key.clear()\ned25519.verify(PUB, MSG, SIG)"
            ),
            "textbook verify": "textbook.verify(PUB, MSG, SIG)",
            "jotunheim curve check only": "ed25519._is_neutral(S, H, AT, RX, RY, HALF)",
            "half-size scalars (lattice)": "ed25519._half_size(H)",
            "decode one point": "ed25519._decode_point(PUB)",
            "pure SHA-512 (R+A+msg)": "SHA512(SIG[:32] + PUB + MSG).digest()",
        }
        for name, code in cases.items():
            rep = 3 if "textbook" in name else 10
            out[name] = (mp.time_of(code, repeat=rep), mp.alloc_of(code, repeat=rep))
        # Heap kept by the cached fixed-base tables (B and [2**128]B).
        mp.exec("ed25519._base_tables.clear()")
        table_heap = mp.heap_of("ed25519._base()")
    return out, table_heap


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", help="write the markdown table to this file")
    parser.add_argument("--repeat", type=int, default=500)
    parser.add_argument("--no-micropython", action="store_true")
    args = parser.parse_args(argv)
    key = Ed25519PrivateKey.generate()
    pub = raw_public_key(key)
    msg = os.urandom(100)
    sig = key.sign(msg)
    cp = _cpython(pub, msg, sig, args.repeat)
    lines = [
        "## Ed25519 verify (100-byte message)",
        "",
        "CPython %s: jotunheim %.0f µs (new key: %.0f µs), textbook RFC 8032 %.0f µs per "
        "verify (%.1fx)."
        % (
            sys.version.split()[0],
            cp["jotunheim"],
            cp["jotunheim cold"],
            cp["textbook"],
            cp["textbook"] / cp["jotunheim"],
        ),
        "",
    ]
    if not args.no_micropython:
        mp, table_heap = _micropython(pub, msg, sig)
        lines += [
            "MicroPython 1.27 (WebAssembly, Node 20), garbage included:",
            "",
            "| case | ms per call | bytes allocated per call |",
            "|---|---:|---:|",
        ]
        for name, (us, alloc) in mp.items():
            lines.append("| %s | %.1f | %d |" % (name, us / 1000.0, alloc))
        lines += [
            "",
            "Heap kept by the cached base tables (B and [2**128]B, %d entries each): %d bytes."
            % (1 << (ed25519.BASE_WINDOW - 2), table_heap),
            "",
        ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        # The page's title, so the Sphinx build (-W) has a heading for it.
        title = "# OTA: signature verification and download figures\n\n"
        pathlib.Path(args.write).write_text(title + text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
