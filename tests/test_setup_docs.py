"""The README's Quick start runs as root without sudo and as a user with sudo; pip reads the
licence as an SPDX expression (no deprecated table)."""

import re
import shutil
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHELL = shutil.which("sh") or "/bin/sh"


def quick_start_commands() -> list[str]:
    """Return the shell lines of the Quick start's blocks that install system packages."""
    section = ROOT.joinpath("README.md").read_text(encoding="utf-8").split("## Quick start")[1]
    section = section.split("\n## ")[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    script = "\n".join(blocks).replace("\\\n", " ")
    return [line for line in script.splitlines() if not line.startswith("make ")]


def fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.mark.parametrize(("uid", "with_sudo"), [(0, False), (0, True), (1000, True)])
def test_the_quick_start_installs_as_root_or_with_sudo(tmp_path, uid, with_sudo):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "log"
    fake(bin_dir, "id", f'[ "$1" = "-u" ] && echo {uid}')
    fake(bin_dir, "apt-get", f'echo "apt-get $* as $TRACKER_TEST_AS" >> {log}')
    if with_sudo:
        fake(bin_dir, "sudo", 'TRACKER_TEST_AS=sudo "$@"')
    script = "\n".join(["set -e", *quick_start_commands()])
    # Only the fakes and a shell's basic tools: no real sudo (a fresh root shell has none).
    env = {"PATH": f"{bin_dir}:{_without_sudo(tmp_path)}", "TRACKER_TEST_AS": "caller"}
    subprocess.run([SHELL, "-c", script], env=env, check=True, cwd=tmp_path)  # noqa: S603
    calls = log.read_text().splitlines()
    assert calls and calls[0].startswith("apt-get update")
    assert any("libpango-1.0-0" in call for call in calls)
    assert any("chromium" in call for call in calls)
    assert {call.rsplit(" as ", 1)[1] for call in calls} == {"caller" if uid == 0 else "sudo"}


def _without_sudo(tmp_path: Path) -> str:
    """Return a directory with the few tools the script needs, and no sudo."""
    tools = tmp_path / "tools"
    tools.mkdir()
    for name in ("sh", "echo", "["):
        found = shutil.which(name)
        if found is not None:
            (tools / name).symlink_to(found)
    return str(tools)


def test_the_licence_is_an_spdx_expression():
    project = tomllib.loads(ROOT.joinpath("pyproject.toml").read_text())["project"]
    # The table form ({text = ...}) makes pip and setuptools warn that it is deprecated.
    assert project["license"] == "MIT"
    assert not any(c.startswith("License ::") for c in project.get("classifiers", []))
