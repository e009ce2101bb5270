"""Check what users install, not the source tree: build the sdist and the wheel, install each in a
fresh virtual environment (no `-e`, the source tree not on the path), and run there what a new
user runs first.

    python tools/check_dist.py            # both artifacts
    python tools/check_dist.py --keep     # leave the temporary folder for a look

Run by `.ci/run` (and `make check-dist`). An editable install once hid that the wheel shipped
none of the built-in reports; every check below would have failed on that wheel.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_PAGES = ("index.html", "dashboard.html", "sales.html", "customers.html",
              "marketing.html", "service.html")  # fmt: skip
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)

# One built-in report on the synthetic data, through the installed package only.
BUILTIN_RUN = """
import crmreports, sys
from crmreports import builtin
from crmreports.datasets import generate

assert "site-packages" in crmreports.__file__, crmreports.__file__  # not the source tree
names = builtin.names()
assert len(names) >= 19, names
result = builtin.get("sales.performance").run(generate(seed=0, size=2_000).tables(),
                                              as_of="2024-12-31")
assert len(result) > 0 and result.notes is not None
print(f"sales.performance: {len(result)} rows from the installed package ({len(names)} reports)")
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="crmreports-dist-"))
    try:
        dist = work / "dist"
        _run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(dist),
              str(ROOT)], cwd=ROOT)  # fmt: skip
        wheel = next(dist.glob("*.whl"))
        sdist = next(dist.glob("*.tar.gz"))
        # Side by side: each check is mostly installing and rendering in its own processes, and
        # the two together fit CI's time budget where one after the other did not.
        with ThreadPoolExecutor(max_workers=2) as pool:
            checks = [
                pool.submit(_check_artifact, a, work / a.name.split("-")[-1].split(".")[0])
                for a in (wheel, sdist)
            ]
            for check in checks:
                print(check.result(), flush=True)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("dist check passed: the wheel and the sdist install and run on their own")
    return 0


def _check_artifact(artifact: Path, home: Path) -> str:
    """Install `artifact` in a venv under `home` and run the first-hour commands; the log."""
    log = [f"\n== {artifact.name}"]
    started = time.perf_counter()
    venv = home / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    cli = venv / "bin" / "crmreports"
    # With the extra the README's Excel export names.
    _run([str(python), "-m", "pip", "install", "--quiet", "-c", str(ROOT / "constraints.txt"),
          f"{artifact}[xlsx]"])  # fmt: skip
    # A folder of its own, far from the source tree: nothing can be imported from there.
    cwd = home / "user"
    cwd.mkdir()
    listing = _run([str(cli), "builtin", "list"], cwd=cwd)
    if "sales.performance" not in listing or "dashboards: customers, marketing" not in listing:
        raise SystemExit(f"{artifact.name}: `crmreports builtin list` is incomplete:\n{listing}")
    _run([str(cli), "demo", "--out", "demo"], cwd=cwd)
    missing = [p for p in DEMO_PAGES if not (cwd / "demo" / p).is_file()]
    if missing:
        raise SystemExit(f"{artifact.name}: `crmreports demo` did not write {missing}")
    # The README's blocks share one namespace, as a reader going down the page.
    blocks = _readme_blocks()
    _run([str(python), "-I", "-c", "\n".join(blocks)], cwd=cwd)
    log.append(f"README: {len(blocks)} Python blocks ran")
    log.append(_run([str(python), "-I", "-c", BUILTIN_RUN], cwd=cwd).strip())
    log.append(f"{artifact.name}: ok in {time.perf_counter() - started:.0f} s")
    return "\n".join(log)


def _readme_blocks() -> list[str]:
    return PYTHON_BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def _run(command: list[str], cwd: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        shown = " ".join(command)
        raise SystemExit(
            f"failed ({done.returncode}): {shown}\n--- stdout\n{done.stdout}\n"
            f"--- stderr\n{done.stderr}"
        )
    return done.stdout


if __name__ == "__main__":
    sys.exit(main())
