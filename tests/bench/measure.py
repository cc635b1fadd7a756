"""Runs one process at a time and reports its wall time and peak RSS.

Used by tests/bench/cli_bench.ts, which starts this once and talks to it in
JSON lines: one request per line on stdin, one result per line on stdout.

Request: {"argv": [...], "env": {...}, "cwd": "...", "stdin": "text"?,
          "pty": false | true, "waitFor": "text"?, "type": "keys"?,
          "timeoutMs": 30000}
Result:  {"ms": wall ms from fork to exit, "promptMs": ms from fork to the first
          appearance of waitFor (pty only), "rssKb": peak RSS of the child
          (wait4), "cpuMs": its user+system
          CPU time, "code": exit status (128+signal when killed),
          "stdout": text, "stderr": text}

Plain runs get stdin from "stdin" (or /dev/null), stdout and stderr as
pipes/files. Pty runs get a new pseudo-terminal as controlling terminal and
as stdin/stdout/stderr (so /dev/tty opens), exactly like an interactive
shell; when "waitFor" appears on the terminal the time is taken and "type"
(if any) is written to it, as a user pasting a code would.

Standard library only: the CI image has python3 and nothing else to rely on.

On Windows, which has no fork, no wait4 and no pseudo-terminal, plain runs are
started with subprocess and their CPU time and peak working set read with
GetProcessTimes and K32GetProcessMemoryInfo; a batch file (aws.cmd) runs in a
cmd.exe whose figures are not those of the program it starts, so it gets
null for both ("cpuMs": null, "rssKb": null), as does any figure Windows
refuses. Pty requests are refused there. On macOS ru_maxrss is in bytes.
"""

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

WINDOWS = os.name == "nt"
if not WINDOWS:
    import pty


def status_code(status):
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return -1


def wait_with_timeout(pid, deadline):
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done == pid:
            return status, usage
        if time.perf_counter() > deadline:
            os.kill(pid, signal.SIGKILL)
            done, status, usage = os.wait4(pid, 0)
            return status, usage
        time.sleep(0.0005)


def run_plain(req):
    timeout = req.get("timeoutMs", 30000) / 1000
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    stdin_r, stdin_w = os.pipe()
    data = req.get("stdin")
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(req["cwd"])
            os.dup2(stdin_r if data is not None else os.open(os.devnull, os.O_RDONLY), 0)
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            os.closerange(3, 256)
            os.setsid()  # no controlling terminal: /dev/tty cannot be opened
            os.execve(req["argv"][0], req["argv"], req["env"])
        finally:
            os._exit(127)
    os.close(stdin_r)
    if data is not None:
        try:
            os.write(stdin_w, data.encode())
        except BrokenPipeError:
            pass
    os.close(stdin_w)
    status, usage = wait_with_timeout(pid, start + timeout)
    ms = (time.perf_counter() - start) * 1000
    out.seek(0)
    err.seek(0)
    return {
        "ms": ms,
        "rssKb": rss_kb(usage),
        "cpuMs": (usage.ru_utime + usage.ru_stime) * 1000,
        "code": status_code(status),
        "stdout": out.read().decode(errors="replace"),
        "stderr": err.read().decode(errors="replace"),
    }


def rss_kb(usage):
    """Peak RSS in KB: Linux reports ru_maxrss in KB, macOS in bytes."""
    return usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss


def windows_usage(child):
    """(CPU ms, peak working set KB) of a finished Popen, None where Windows refuses."""
    import ctypes
    from ctypes import wintypes

    class Counters(ctypes.Structure):
        _fields_ = [("cb", wintypes.DWORD), ("PageFaultCount", wintypes.DWORD)] + [
            (name, ctypes.c_size_t)
            for name in (
                "PeakWorkingSetSize", "WorkingSetSize", "QuotaPeakPagedPoolUsage",
                "QuotaPagedPoolUsage", "QuotaPeakNonPagedPoolUsage",
                "QuotaNonPagedPoolUsage", "PagefileUsage", "PeakPagefileUsage",
            )
        ]

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.GetProcessTimes.argtypes = [wintypes.HANDLE] + [ctypes.POINTER(wintypes.FILETIME)] * 4
    kernel32.GetProcessTimes.restype = wintypes.BOOL
    kernel32.K32GetProcessMemoryInfo.argtypes = [
        wintypes.HANDLE, ctypes.POINTER(Counters), wintypes.DWORD,
    ]
    kernel32.K32GetProcessMemoryInfo.restype = wintypes.BOOL
    times = [wintypes.FILETIME() for _ in range(4)]
    cpu_ms = None
    handle = int(child._handle)  # kept open by Popen until it is collected
    if kernel32.GetProcessTimes(handle, *[ctypes.byref(t) for t in times]):
        ticks = [(t.dwHighDateTime << 32) | t.dwLowDateTime for t in times[2:]]
        cpu_ms = sum(ticks) / 10_000  # 100 ns units: kernel + user
    counters = Counters()
    counters.cb = ctypes.sizeof(Counters)
    peak_kb = None
    if kernel32.K32GetProcessMemoryInfo(handle, ctypes.byref(counters), counters.cb):
        peak_kb = counters.PeakWorkingSetSize // 1024
    return cpu_ms, peak_kb


def run_windows(req):
    timeout = req.get("timeoutMs", 30000) / 1000
    data = req.get("stdin")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            req["argv"], cwd=req["cwd"], env=req["env"], stdout=out, stderr=err,
            stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
        )
        try:
            child.communicate(data.encode() if data is not None else None, timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        ms = (time.perf_counter() - start) * 1000
        batch = req["argv"][0].lower().endswith((".cmd", ".bat"))
        cpu_ms, peak_kb = (None, None) if batch else windows_usage(child)
        out.seek(0)
        err.seek(0)
        return {
            "ms": ms,
            "rssKb": peak_kb,
            "cpuMs": cpu_ms,
            "code": child.returncode,
            "stdout": out.read().decode(errors="replace"),
            "stderr": err.read().decode(errors="replace"),
        }


def run_pty(req):
    timeout = req.get("timeoutMs", 30000) / 1000
    wait_for = req.get("waitFor")
    typed = req.get("type")
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.chdir(req["cwd"])
            os.execve(req["argv"][0], req["argv"], req["env"])
        finally:
            os._exit(127)
    deadline = start + timeout
    seen = b""
    prompt_ms = None
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            break
        ready, _, _ = select.select([fd], [], [], min(left, 0.05))
        if not ready:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done == pid:
                ms = (time.perf_counter() - start) * 1000
                os.close(fd)
                return result_pty(ms, prompt_ms, status, usage, seen)
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
        if wait_for is not None and prompt_ms is None and wait_for.encode() in seen:
            prompt_ms = (time.perf_counter() - start) * 1000
            if typed is not None:
                os.write(fd, typed.encode())
    status, usage = wait_with_timeout(pid, deadline + 5)
    ms = (time.perf_counter() - start) * 1000
    os.close(fd)
    return result_pty(ms, prompt_ms, status, usage, seen)


def result_pty(ms, prompt_ms, status, usage, seen):
    return {
        "ms": ms,
        "promptMs": prompt_ms,
        "rssKb": rss_kb(usage),
        "cpuMs": (usage.ru_utime + usage.ru_stime) * 1000,
        "code": status_code(status),
        "stdout": seen.decode(errors="replace"),
        "stderr": "",
    }


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            if WINDOWS and req.get("pty"):
                raise OSError("no pseudo-terminal on Windows")
            result = (
                run_windows(req) if WINDOWS else run_pty(req) if req.get("pty") else run_plain(req)
            )
        except Exception as error:  # report, keep serving
            result = {"error": repr(error)}
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
