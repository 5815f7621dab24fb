"""Child side of the code sandbox. Never imported: sandbox.py passes this file's text to
`python -I -S -B -c`, with resource limits already set by the parent, in an empty temporary directory.

Protocol: stdin carries length-prefixed fields: nonce, entry, source, then one field per call expression;
every report is one stdout line "<nonce><dict literal>", written at once, so a run killed at its time limit
still shows which calls finished. Only the call expressions come here; the expected values stay in the
parent, which compares. So candidate code that digs through this process can learn nothing that would let
it fake a pass.

The audit hook is a tripwire against accidents and careless code (shelling out, network, writes or reads
outside the sandbox directory), not a security boundary: CPython audit hooks can be evaded by determined
code. The limits that really hold are the process-level ones: rlimits, the wall clock, the killed group.
"""

import io
import math
import os
import sys


def _install_guard(workdir):
    """Deny process creation, signals, networking, ctypes and file access outside workdir and Python's own
    installation. Only immutable values are captured, so candidate code cannot edit the policy."""
    roots = tuple(
        os.path.join(os.path.normpath(p), "")
        for p in {workdir, sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    )
    readable_files = frozenset({"/dev/null", "/dev/urandom"})
    denied = frozenset(
        {
            "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.startfile",
            "subprocess.Popen", "pty.spawn", "os.kill", "os.killpg", "signal.pthread_kill", "os.symlink",
            "os.link", "os.chown", "os.lchown", "os.setuid", "os.setgid", "resource.setrlimit",
            "resource.prlimit", "gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys.remote_exec",
        }
    )  # fmt: skip
    denied_prefixes = ("socket.", "ctypes.", "_ctypes.", "urllib.", "http.", "ftplib.", "smtplib.", "webbrowser.")
    denied_imports = frozenset({"ctypes", "_ctypes", "socket", "_socket", "ssl", "_ssl", "_posixsubprocess"})
    # Path arguments of these events must lie in workdir (changes) or in the readable roots (listings).
    change_events = frozenset(
        {"os.remove", "os.rmdir", "os.rename", "os.replace", "os.mkdir", "os.truncate", "os.chmod", "os.utime",
         "shutil.rmtree", "shutil.move", "shutil.copyfile", "os.chdir"}
    )  # fmt: skip
    list_events = frozenset({"os.listdir", "os.scandir", "glob.glob"})
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
    work = os.path.join(os.path.normpath(workdir), "")

    def inside(path, allowed):
        if isinstance(path, int):
            return True  # an already open descriptor was checked when it was opened
        if isinstance(path, bytes):
            path = path.decode("utf-8", "surrogateescape")
        if not isinstance(path, str):
            return False  # PathLike objects would run candidate code inside the hook: refuse them
        full = os.path.join(os.path.normpath(os.path.abspath(path)), "")
        return full.startswith(allowed) or full[:-1] in readable_files

    def hook(event, args):
        if event in denied or event.startswith(denied_prefixes):
            raise PermissionError(f"blocked by sandbox: {event}")
        if event == "import" and args[0].partition(".")[0] in denied_imports:
            raise PermissionError(f"blocked by sandbox: import {args[0]}")
        if event == "open":
            path, mode, flags = args[0], args[1], args[2]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool((flags or 0) & write_flags)
            if not inside(path, (work,) if writing else roots):
                raise PermissionError(f"blocked by sandbox: open {path!r} for {'writing' if writing else 'reading'}")
        elif event in change_events or event in list_events:
            allowed = (work,) if event in change_events else roots
            for path in args[:2]:
                if isinstance(path, (str, bytes)) and not inside(path, allowed):
                    raise PermissionError(f"blocked by sandbox: {event} {path!r}")

    sys.addaudithook(hook)


def _describe(exc):
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text[:300]


_PLAIN = (int, float, str, bool, type(None))


def _plain(value, depth=0):
    """True when repr(value) is a literal the parent can read back with ast.literal_eval. Exact types only:
    a subclass could override __repr__ and claim any value."""
    if depth > 50:
        return False
    kind = type(value)
    if kind in _PLAIN:
        return kind is not float or math.isfinite(value)
    if kind in (list, tuple, set):  # not frozenset: its repr is a call, not a literal
        return all(_plain(v, depth + 1) for v in value)
    if kind is dict:
        return all(_plain(k, depth + 1) and _plain(v, depth + 1) for k, v in value.items())
    return False


def _read_fields(data):
    """The parent's framing: each field is '<byte length>\n<utf-8 bytes>' (no json import: it costs more
    start-up time than everything else here)."""
    fields, pos = [], 0
    while pos < len(data):
        end = data.index(b"\n", pos)
        size = int(data[pos:end])
        fields.append(data[end + 1 : end + 1 + size].decode("utf-8", "surrogatepass"))
        pos = end + 1 + size
    return fields


def main():
    nonce, entry, source, *calls = _read_fields(sys.stdin.buffer.read())
    sys.stdin.close()
    out_fd = os.dup(1)  # reports go here; the candidate's print() goes to a buffer below

    def emit(report):
        os.write(out_fd, (nonce + ascii(report) + "\n").encode("ascii"))

    _install_guard(os.getcwd())
    sys.stdout = io.StringIO()
    sys.stderr = io.StringIO()
    namespace = {"__name__": "__candidate__", "__builtins__": __builtins__}
    try:
        exec(compile(source, "<candidate>", "exec"), namespace)  # noqa: S102 - running it is the point
        if not callable(namespace.get(entry)):
            emit({"load_error": f"function {entry!r} is not defined"})
            os._exit(0)
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt too: nothing may stop the report
        emit({"load_error": _describe(exc), "type": type(exc).__name__})
        os._exit(0)
    emit({"loaded": True})

    for index, call in enumerate(calls):
        try:
            value = eval(call, namespace)
        except BaseException as exc:  # noqa: BLE001 - whatever the candidate raises is its result
            emit({"i": index, "error": _describe(exc), "type": type(exc).__name__})
            continue
        try:
            if not _plain(value):
                emit({"i": index, "unserializable": _describe_value(value)})
                continue
            text = ascii(value)
            if len(text) > 65536:
                emit({"i": index, "too_big": len(text)})
                continue
            emit({"i": index, "value": value, "repr": text[:200]})
        except BaseException as exc:  # noqa: BLE001 - whatever the candidate raises is its result
            emit({"i": index, "error": _describe(exc), "type": type(exc).__name__})
    emit({"done": True})
    os._exit(0)  # skip atexit handlers and finalizers the candidate may have registered


def _describe_value(value):
    try:
        return f"{type(value).__name__} {repr(value)[:200]}"
    except BaseException as exc:  # noqa: BLE001 - a candidate's __repr__ may raise anything
        return f"{type(value).__name__} (repr failed: {_describe(exc)})"


main()
