"""Take a screenshot of a run's report.html in headless Chromium, to look at it.

    python scripts/screenshot_report.py outputs/base/report.html [report.png]

Needs Debian's chromium (apt-get install chromium); .ci/run installs it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def screenshot(page: Path, image: Path, width: int = 1100, height: int = 2400) -> Path:
    """Render `page` and write `image` (PNG); raises if Chromium is missing or fails."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise RuntimeError("chromium not found (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                        f"--screenshot={image.resolve()}", page.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
    return image


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python scripts/screenshot_report.py REPORT.html [IMAGE.png]")
    page = Path(sys.argv[1])
    image = Path(sys.argv[2]) if len(sys.argv) > 2 else page.with_suffix(".png")
    try:
        print(screenshot(page, image))
    except (RuntimeError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        reason = error if isinstance(error, RuntimeError) else f"chromium failed ({type(error).__name__})"
        sys.exit(f"error: {reason}")   # one line, exit status 1, no traceback
