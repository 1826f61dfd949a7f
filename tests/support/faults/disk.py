"""A full disk, for real: a node's data folder on a small tmpfs that a filler file fills up.

Why a tmpfs and not a SQLite ``max_page_count`` or a file-size rlimit: the pragma would have to
be set by the node itself (it is per connection) and only stops the main database file, not its
WAL or the journal; RLIMIT_FSIZE kills the process with SIGXFSZ (or answers EFBIG), which is not
what a full disk does. A mounted tmpfs gives every writer of the folder — SQLite's WAL, the
checkpoint files, the lock files — ENOSPC, which SQLite reports as "database or disk is full".
Mounting needs root (CAP_SYS_ADMIN); where it is refused the harness says so and leaves the
full-disk fault out (`mount_small_disk` returns False).
"""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

SIZE = "256m"  # room for a long run's history (50 schedules: ~50 MB); the filler takes the rest
HEADROOM = 32 << 20  # free bytes the disk must have before a fill: else it is full for real
CHUNK = 1 << 20
FILLER = ".filler"


def mount_small_disk(folder: Path) -> bool:
    """Mount a small tmpfs on ``folder`` (created empty); False if this machine refuses."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def fill(folder: Path, limit: int = 1 << 30) -> int:
    """Write a filler file until the file system refuses (ENOSPC); the bytes written."""
    written = 0
    block = CHUNK
    fd = os.open(folder / FILLER, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while written < limit and block >= 512:
            try:
                written += os.write(fd, b"\0" * block)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                block //= 2  # the last bytes that fit, down to a sector
    finally:
        os.close(fd)
    return written


def ensure_headroom(folder: Path) -> None:
    """Refuse to run a full-disk fault on a disk the node's history has already filled: its
    refusals would then never heal, which is the harness's fault, not the node's."""
    stats = os.statvfs(folder)
    available = stats.f_bavail * stats.f_frsize
    assert available >= HEADROOM, f"the small disk has only {available} bytes free: enlarge SIZE"


def free(folder: Path) -> None:
    """Remove the filler file: the space is back."""
    (folder / FILLER).unlink(missing_ok=True)
