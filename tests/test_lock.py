"""The lock files agree with pyproject.toml: every requirement pinned, nothing pinned for nothing.

``make lock`` writes requirements.lock (the runtime dependencies and the build backend) and
requirements-dev.lock (those and the dev extra) with pip-compile; ``make install``, ``make test``
and CI install nothing else. These checks read files only, so they run offline, and they fail as
soon as a requirement is added, narrowed or removed in pyproject.toml without ``make lock``.
"""

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RUNTIME_LOCK, DEV_LOCK = "requirements.lock", "requirements-dev.lock"
EXTRAS = {RUNTIME_LOCK: (), DEV_LOCK: ("dev",)}

# The platform the locks are made for; markers in pyproject.toml are read as pip would read them
# there, whatever interpreter runs this test.
TARGET = {
    **default_environment(),
    "python_version": "3.11",
    "python_full_version": "3.11.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "os_name": "posix",
    "sys_platform": "linux",
    "platform_system": "Linux",
}

PIN = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)\s*\\?")


@dataclass
class Pin:
    """One package of a lock: its exact version, its hashes and what asked for it."""

    version: Version
    hashes: list[str] = field(default_factory=list)
    via: set[str] = field(default_factory=set)


@dataclass
class Lock:
    """A lock file as pip-compile writes it."""

    header: str
    pins: dict[NormalizedName, Pin]


def read_lock(path: Path) -> Lock:
    """Parse a pip-compile lock; fail on any line that is not an exact pin, a hash or a note."""
    header: list[str] = []
    pins: dict[NormalizedName, Pin] = {}
    current: Pin | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.name}:{number}"
        text = line.strip()
        if not text:
            continue
        if not line[0].isspace():
            if text.startswith("#"):
                # The header, or the title of the section of pip and setuptools.
                header.append(text)
                current = None
                continue
            match = PIN.fullmatch(text)
            assert match, f"{where}: not an exact pin by name (options, URLs, -e): {text}"
            name = canonicalize_name(match["name"])
            assert name not in pins, f"{where}: {name} pinned twice"
            current = pins[name] = Pin(Version(match["version"]))
            continue
        assert current is not None, f"{where}: indented line outside a pin: {text}"
        if text.startswith("--hash="):
            current.hashes.append(text.removeprefix("--hash=").rstrip(" \\"))
        elif text.startswith("# via"):
            if rest := text.removeprefix("# via").strip():
                current.via.add(rest)
        elif text.startswith("#"):
            current.via.add(text.removeprefix("#").strip())
        else:
            raise AssertionError(f"{where}: unexpected line: {text}")
    return Lock(header="\n".join(header), pins=pins)


def project_requirements(extras: tuple[str, ...]) -> list[Requirement]:
    """Return pyproject's requirements for the lock of these extras, on the target platform."""
    lines = [*PYPROJECT["build-system"]["requires"], *PYPROJECT["project"]["dependencies"]]
    for extra in extras:
        lines += PYPROJECT["project"]["optional-dependencies"][extra]
    requirements = [Requirement(line) for line in lines]
    return [r for r in requirements if r.marker is None or r.marker.evaluate(TARGET)]


def unhashed(pins: dict[NormalizedName, Pin]) -> list[str]:
    """Return the pins without a SHA-256 hash, or with anything else as a hash."""
    sha256 = re.compile(r"sha256:[0-9a-f]{64}")
    return sorted(
        name
        for name, pin in pins.items()
        if not pin.hashes or not all(sha256.fullmatch(h) for h in pin.hashes)
    )


def unpinned(requirements: list[Requirement], pins: dict[NormalizedName, Pin]) -> list[str]:
    """Return a line for each requirement the lock lacks or pins outside its range."""
    problems = []
    for requirement in requirements:
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            problems.append(f"{requirement} is not in the lock")
        elif not requirement.specifier.contains(pin.version, prereleases=True):
            problems.append(f"{requirement} but the lock pins {pin.version}")
    return problems


def unrequired(requirements: list[Requirement], pins: dict[NormalizedName, Pin]) -> list[str]:
    """Return the pins that no requirement leads to, following the lock's "via" notes."""
    reached = {canonicalize_name(r.name) for r in requirements} & pins.keys()
    grew = True
    while grew:
        grew = False
        for name, pin in pins.items():
            # Notes such as "mobility-tracker (pyproject.toml)" or "-c requirements.lock" name
            # no package: a package pyproject.toml no longer asks for is reached only by those.
            parents = {canonicalize_name(via) for via in pin.via if re.fullmatch(r"[\w.-]+", via)}
            if name not in reached and parents & reached:
                reached.add(name)
                grew = True
    return sorted(pins.keys() - reached)


@pytest.fixture(scope="module", params=[RUNTIME_LOCK, DEV_LOCK])
def lock_name(request: pytest.FixtureRequest) -> str:
    """Return the name of each lock file in turn."""
    return request.param


def test_the_lock_pins_every_package_exactly_with_hashes(lock_name):
    lock = read_lock(ROOT / lock_name)
    assert "autogenerated by pip-compile with Python 3.11" in lock.header
    assert lock.pins
    assert unhashed(lock.pins) == []


def test_the_lock_pins_every_requirement_of_pyproject_within_its_range(lock_name):
    lock = read_lock(ROOT / lock_name)
    assert unpinned(project_requirements(EXTRAS[lock_name]), lock.pins) == [], "run make lock"


def test_the_lock_pins_nothing_pyproject_does_not_lead_to(lock_name):
    lock = read_lock(ROOT / lock_name)
    assert unrequired(project_requirements(EXTRAS[lock_name]), lock.pins) == [], "run make lock"


def test_the_dev_lock_pins_the_versions_of_the_runtime_lock():
    runtime, dev = read_lock(ROOT / RUNTIME_LOCK).pins, read_lock(ROOT / DEV_LOCK).pins
    assert {name: pin.version for name, pin in runtime.items()} == {
        name: dev[name].version for name in runtime if name in dev
    }


HASH = "    --hash=sha256:" + "0" * 64
SMALL_LOCK = f"""\
#
# This file is autogenerated by pip-compile with Python 3.11
#
flask==3.1.3 \\
{HASH}
    # via mobility-tracker (pyproject.toml)
gunicorn==27.0.1 \\
{HASH}
    # via mobility-tracker (pyproject.toml)
packaging==26.4 \\
{HASH}
    # via gunicorn
werkzeug==3.1.9 \\
{HASH}
    # via
    #   flask
    #   mobility-tracker (pyproject.toml)
"""
SMALL_PROJECT = ["Flask>=3.1.1", "gunicorn>=23", "Werkzeug>=3.1.6"]


@pytest.fixture()
def small_lock(tmp_path: Path) -> dict[NormalizedName, Pin]:
    """Return the pins of a four-package lock that matches SMALL_PROJECT."""
    (tmp_path / "small.lock").write_text(SMALL_LOCK, encoding="utf-8")
    return read_lock(tmp_path / "small.lock").pins


def requirements(*lines: str) -> list[Requirement]:
    """Return the requirements these lines of pyproject.toml would be."""
    return [Requirement(line) for line in lines]


def test_the_checks_pass_a_lock_that_matches(small_lock):
    assert set(small_lock) == {"flask", "gunicorn", "packaging", "werkzeug"}
    assert small_lock["werkzeug"].via == {"flask", "mobility-tracker (pyproject.toml)"}
    assert unhashed(small_lock) == []
    assert unpinned(requirements(*SMALL_PROJECT), small_lock) == []
    assert unrequired(requirements(*SMALL_PROJECT), small_lock) == []


def test_a_pin_without_a_hash_is_caught(tmp_path):
    (tmp_path / "bare.lock").write_text(
        "flask==3.1.3 \\\n    --hash=md5:0\n    # via mobility-tracker (pyproject.toml)\n"
        "packaging==26.4\n    # via flask\n",
        encoding="utf-8",
    )
    assert unhashed(read_lock(tmp_path / "bare.lock").pins) == ["flask", "packaging"]


def test_a_requirement_added_or_narrowed_without_relocking_is_caught(small_lock):
    added = unpinned(requirements(*SMALL_PROJECT, "redis>=5"), small_lock)
    narrowed = unpinned(requirements("Flask>=3.1.1", "gunicorn>=28", "Werkzeug>=3.1.6"), small_lock)

    assert added == ["redis>=5 is not in the lock"]
    assert narrowed == ["gunicorn>=28 but the lock pins 27.0.1"]


def test_a_requirement_removed_without_relocking_is_caught(small_lock):
    # gunicorn's own dependency goes with it; Werkzeug stays, as Flask needs it.
    assert unrequired(requirements("Flask>=3.1.1", "Werkzeug>=3.1.6"), small_lock) == [
        "gunicorn",
        "packaging",
    ]
    assert unrequired(requirements("Flask>=3.1.1", "gunicorn>=23"), small_lock) == []


@pytest.mark.parametrize(
    "line", ["-e .", "flask>=3", "flask @ https://example.org/flask.whl", "--index-url x"]
)
def test_a_lock_line_that_is_not_an_exact_pin_is_refused(tmp_path, line):
    (tmp_path / "bad.lock").write_text(f"{SMALL_LOCK}{line}\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="not an exact pin"):
        read_lock(tmp_path / "bad.lock")
