"""Run candidate Python code against hidden calls in a separate, limited process.

What it is: a process sandbox that keeps bad code from hurting the caller. The candidate runs in a fresh
`python -I -S -B` (isolated: no user site, no PYTHON* variables, no site-packages, no .pyc writes) with:
  - a wall-clock limit; on expiry the whole process group is killed (grandchildren included);
  - RLIMIT_CPU (a busy loop dies even if the wall clock is missed), RLIMIT_AS (memory, default 256 MiB),
    RLIMIT_FSIZE (1 MiB per file written), RLIMIT_NOFILE, no core dumps, and RLIMIT_NPROC=0 so that,
    for non-root users, it cannot fork at all;
  - an empty temporary working directory, deleted afterwards, and a minimal environment (no secrets from
    ours: DATABASE_URL, API keys and the like are not passed);
  - an audit-hook tripwire (see _harness.py) that refuses shelling out, sockets, ctypes and file access
    outside the sandbox directory and Python's installation.
What it is not: a security boundary. It runs as the same user (as root, RLIMIT_NPROC does not apply), shares
the kernel, the filesystem permissions and the network namespace; audit hooks can be evaded. Run untrusted
model output only on machines where that same user running arbitrary code is acceptable, or wrap it in a
container/VM.

Expected values never enter the child: it reports what each call returned, the parent compares.
"""

from __future__ import annotations

import ast
import math
import os
import resource
import secrets
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

DEFAULT_TIMEOUT_S = 2.0
DEFAULT_MEMORY_MB = 256
FILE_LIMIT_BYTES = 1 << 20
REPORT_LIMIT_BYTES = 4 << 20  # what we read back of the child's stdout

Status = Literal["ok", "load_error", "timeout", "memory", "crashed"]


@dataclass(frozen=True)
class CaseResult:
    index: int
    call: str
    passed: bool
    got: str  # what came back, for the detail: a repr, or the exception
    error_type: str = ""  # exception class name when the call raised


@dataclass(frozen=True)
class SandboxResult:
    status: Status
    total: int
    cases: list[CaseResult] = field(default_factory=list)  # only the calls that finished
    message: str = ""  # load error, timeout, crash, stderr tail
    elapsed_s: float = 0.0

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.cases)

    @property
    def score(self) -> float:
        return self.passed / self.total if self.total else 0.0


def _frame(fields: list[str]) -> bytes:
    # The harness's input format: '<byte length>\n<bytes>' per field; lets it start without importing json.
    parts = []
    for text in fields:
        data = text.encode("utf-8", "surrogatepass")
        parts.append(b"%d\n%s" % (len(data), data))
    return b"".join(parts)


@cache
def _harness_source() -> str:
    return (Path(__file__).with_name("_harness.py")).read_text(encoding="utf-8")


def _limit_child(cpu_s: int, memory_bytes: int) -> None:
    """preexec_fn: runs in the forked child before exec; only async-signal-safe-ish calls (setrlimit)."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT_BYTES, FILE_LIMIT_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    try:
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
    except (ValueError, OSError):
        pass  # not lowerable here; the audit hook still refuses fork/exec


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    # The child leads its own session (start_new_session), so its process group id is its pid; the id stays
    # reserved while any member lives, so this cannot hit an unrelated group.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _wait_exit(proc: subprocess.Popen[bytes], timeout_s: float) -> bool:
    """Wait for the child to exit, without reaping it; False on timeout. A pidfd wakes us the moment it
    exits (Popen.wait(timeout) polls with sleeps up to 50 ms, which would triple the cost of a short run)."""
    try:
        pidfd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        try:
            proc.wait(timeout=timeout_s)
            return True
        except subprocess.TimeoutExpired:
            return False
    try:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        return bool(poller.poll(max(0, int(timeout_s * 1000))))
    finally:
        os.close(pidfd)


def _same(got: Any, expect: Any) -> bool:
    """JSON-level equality: bools are not numbers, floats compare with a tiny tolerance, lists recurse."""
    if isinstance(got, bool) or isinstance(expect, bool):
        return type(got) is type(expect) and got == expect
    if isinstance(got, (int, float)) and isinstance(expect, (int, float)):
        if isinstance(got, float) or isinstance(expect, float):
            both_nan = math.isnan(got) and math.isnan(expect)
            return both_nan or math.isclose(got, expect, rel_tol=1e-9, abs_tol=1e-9)
        return got == expect
    if isinstance(got, tuple):
        got = list(got)  # expectations come from JSON, which has no tuples
    if isinstance(got, list) and isinstance(expect, list):
        return len(got) == len(expect) and all(_same(a, b) for a, b in zip(got, expect, strict=True))
    if isinstance(got, dict) and isinstance(expect, dict):
        return got.keys() == expect.keys() and all(_same(got[k], expect[k]) for k in got)
    return type(got) is type(expect) and got == expect


def _as_json(value: Any) -> Any:
    # Expectations written in Python (built-in suites) may hold tuples; JSON ones cannot: one view for both.
    if isinstance(value, (list, tuple)):
        return [_as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    return value


def _judge(index: int, test: dict[str, Any], report: dict[str, Any]) -> CaseResult:
    call = test["call"]
    if "error" in report:
        raised = report.get("type", "")
        return CaseResult(index, call, "raises" in test and raised == test["raises"], report["error"], raised)
    if "raises" in test:
        return CaseResult(index, call, False, f"returned {report.get('repr', '?')} instead of raising")
    if "too_big" in report:
        return CaseResult(index, call, False, f"a result of {report['too_big']} characters (too big to report)")
    if "unserializable" in report:
        return CaseResult(index, call, False, report["unserializable"])
    expect = _as_json(test.get("expect"))
    return CaseResult(index, call, _same(report.get("value"), expect), report.get("repr", "?"))


def run_code(
    source: str,
    entry: str,
    tests: list[dict[str, Any]],
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_mb: int = DEFAULT_MEMORY_MB,
) -> SandboxResult:
    """Define `source` in a sandboxed process, check `entry` exists, evaluate each test's "call" and compare
    with its "expect" (or its "raises": an exception class name). Never raises for anything the code does."""
    nonce = secrets.token_hex(16)
    payload = _frame([nonce, entry, source, *(t["call"] for t in tests)])
    cpu_s = max(1, math.ceil(timeout_s)) + 1
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="autodidact-sandbox-") as workdir,
        tempfile.TemporaryFile() as payload_file,
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
    ):
        # The payload goes in through a file, so a child that dies before reading cannot block our write.
        payload_file.write(payload)
        payload_file.seek(0)
        env = {"PATH": "/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-B", "-c", _harness_source()],
            stdin=payload_file,
            stdout=out,
            stderr=err,
            cwd=workdir,
            env=env,
            close_fds=True,
            start_new_session=True,
            # preexec_fn (not thread-safe in theory: a thread holding a lock at fork can deadlock the child
            # before exec) because limits must be in place before the interpreter starts.
            preexec_fn=lambda: _limit_child(cpu_s, memory_mb << 20),  # noqa: PLW1509
        )
        try:
            timed_out = not _wait_exit(proc, timeout_s)
        finally:
            _kill_group(proc)  # also kills anything the candidate left behind after a normal exit
            proc.wait()
        elapsed = time.monotonic() - started
        out.seek(0)
        raw_out = out.read(REPORT_LIMIT_BYTES).decode("ascii", "replace")
        err.seek(0)
        raw_err = err.read(REPORT_LIMIT_BYTES).decode("utf-8", "replace")

    reports: list[dict[str, Any]] = []
    for line in raw_out.splitlines():
        if line.startswith(nonce) and len(line) < 200_000:
            try:  # literal_eval evaluates literals only: whatever the child wrote, nothing runs here
                report = ast.literal_eval(line[len(nonce) :])
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            if isinstance(report, dict):
                reports.append(report)
    return _summarise(tests, reports, proc.returncode, timed_out, raw_err, timeout_s, memory_mb, elapsed)


def _summarise(
    tests: list[dict[str, Any]],
    reports: list[dict[str, Any]],
    returncode: int | None,
    timed_out: bool,
    stderr: str,
    timeout_s: float,
    memory_mb: int,
    elapsed: float,
) -> SandboxResult:
    total = len(tests)
    cases: dict[int, CaseResult] = {}
    done = False
    for report in reports:
        if "load_error" in report:
            memory = report.get("type") == "MemoryError"
            status: Status = "memory" if memory else "load_error"
            if memory:
                message = f"ran out of memory (limit {memory_mb} MiB) while defining the code"
            else:
                message = f"the code does not load: {report['load_error']}"
            return SandboxResult(status, total, [], message, elapsed)
        if report.get("done"):
            done = True
        index = report.get("i")
        if isinstance(index, int) and 0 <= index < total and index not in cases:
            cases[index] = _judge(index, tests[index], report)
    finished = [cases[i] for i in sorted(cases)]
    running = tests[len(finished)]["call"] if len(finished) < total else ""
    if done:
        out_of_memory = any(c.error_type == "MemoryError" for c in finished)
        message = f"ran out of memory (limit {memory_mb} MiB) in a call" if out_of_memory else ""
        return SandboxResult("memory" if out_of_memory else "ok", total, finished, message, elapsed)
    if timed_out or returncode == -signal.SIGXCPU:
        message = f"timed out after {timeout_s:g} s wall clock" if timed_out else "timed out (CPU time limit)"
        message += f" while running {running}" if running else ""
        return SandboxResult("timeout", total, finished, message, elapsed)
    if "MemoryError" in stderr:
        return SandboxResult("memory", total, finished, f"ran out of memory (limit {memory_mb} MiB)", elapsed)
    tail = stderr.strip().splitlines()[-1][:300] if stderr.strip() else ""
    message = f"the process ended early (exit code {returncode})" + (f" while running {running}" if running else "")
    return SandboxResult("crashed", total, finished, message + (f": {tail}" if tail else ""), elapsed)
