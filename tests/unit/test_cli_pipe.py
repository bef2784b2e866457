"""The command line piped into a reader that stops early (`| head`) exits quietly."""

import os
import subprocess
import sys

import pytest

from tests.support.system import ROOT, free_port


def run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess:
    """Run `huiwu ARGS` with its output going to a pipe nobody reads any more."""
    read, write = os.pipe()
    os.close(read)
    env = {**os.environ, "HUIWU_PORT_CHECKLIST": str(free_port())}
    try:
        return subprocess.run(
            [sys.executable, "-m", "huiwu.cli", *args],
            cwd=ROOT,
            env=env,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write)


def test_a_closed_pipe_ends_a_command_quietly_as_if_by_sigpipe():
    result = run_into_closed_pipe("status")  # a table of every service, all down here

    assert result.returncode == 141, result.stderr
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


@pytest.mark.parametrize("args", [("--help",), ("checklist", "--help")])
def test_a_closed_pipe_ends_help_quietly(args):
    result = run_into_closed_pipe(*args)

    assert result.returncode in (0, 141)  # argparse itself gives up writing help quietly
    assert result.stderr == ""
