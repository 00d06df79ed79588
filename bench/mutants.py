"""The kept mutation check: each defence broken on purpose, one at a time; its tests must fail.

Run: .venv/bin/python -m bench.mutants  (from the repository root; on demand, not in every CI
run). Options: ``--only NAME ...`` runs some mutants, ``--list`` prints them, ``--jobs N`` runs
N mutants at a time (one copy of the tree each; default 1).

The mutants are in :mod:`bench.mutant_list`: a file, an exact original snippet, its
replacement, and the tests that must kill it. For each, the tree is copied into a temporary
folder (the working tree is never changed, not even on Ctrl-C), the snippet is replaced there,
and the named tests are run in that copy (``PYTHONPATH`` points at it, so processes the tests
start import the mutant too). A mutant the named tests do not kill is run against the wider
test files it lists; the report says which tests caught it.

Exit status 1 when any mutant survives its named tests, when an original snippet is no longer
found exactly once (a refactor must move the mutant, not silently disable it), or when the
named tests fail on the unchanged tree (a test that already fails proves nothing).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.mutant_list import MUTANTS, Mutant

ROOT = Path(__file__).resolve().parents[1]
RUN_TIMEOUT = 600.0
PYTEST = ("-m", "pytest", "-q", "-x", "-n0", "-p", "no:randomly", "-p", "no:cacheprovider")


@dataclasses.dataclass
class Outcome:
    """What became of one mutant."""

    mutant: Mutant
    verdict: str  # killed, killed-wider, survived, stale, broken
    seconds: float
    detail: str = ""


def stale(mutant: Mutant, root: Path = ROOT) -> str | None:
    """Why a mutant cannot be applied to the tree at ``root`` (``None`` when it can)."""
    path = root / mutant.file
    if not path.is_file():
        return f"{mutant.file} does not exist"
    count = path.read_text(encoding="utf-8").count(mutant.original)
    if count != 1:
        return f"its original snippet is found {count} times in {mutant.file} (needs exactly 1)"
    if mutant.original == mutant.replacement:
        return "its replacement is the original"
    return None


def copy_tree(target: Path) -> None:
    """Copy the files git knows (tracked and new, not ignored) to ``target``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in listed:
        if not raw:
            continue
        source = ROOT / os.fsdecode(raw)
        if source.is_file():
            destination = target / os.fsdecode(raw)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def run_tests(tree: Path, tests: tuple[str, ...]) -> tuple[int, str]:
    """Run pytest on ``tests`` inside ``tree``: (exit status, last lines); -9 on a timeout."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    with subprocess.Popen(  # noqa: S603 - this interpreter, pytest, test ids from bench/
        [sys.executable, *PYTEST, *tests],
        cwd=tree,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: a timeout or Ctrl-C ends all of it
    ) as process:
        try:
            out, _ = process.communicate(timeout=RUN_TIMEOUT)
        except BaseException:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            if sys.exc_info()[0] is subprocess.TimeoutExpired:
                return -9, "timed out"
            raise
    lines = out.decode(errors="replace").strip().splitlines()
    return process.returncode, "\n".join(lines[-3:])


def check_copy(tree: Path) -> None:
    """Make sure code run in the copy imports the copy's package, not the working tree's."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    found = subprocess.run(
        [sys.executable, "-c", "import oncehub_nb; print(oncehub_nb.__file__)"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"the copy imports oncehub_nb from {found}, not from {tree}")


def try_mutant(tree: Path, mutant: Mutant) -> Outcome:
    """Apply one mutant in ``tree``, run its tests, restore the file whatever happens."""
    started = time.perf_counter()
    path = tree / mutant.file
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace(mutant.original, mutant.replacement), encoding="utf-8")
    try:
        status, tail = run_tests(tree, mutant.tests)
        verdict = "killed" if status in (1, -9) else "survived" if status == 0 else "broken"
        if verdict == "survived" and mutant.wider:
            status, tail = run_tests(tree, mutant.wider)
            verdict = "killed-wider" if status in (1, -9) else "survived"
    finally:
        path.write_text(original, encoding="utf-8")
    return Outcome(mutant, verdict, time.perf_counter() - started, tail)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.mutants", description=__doc__)
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run these mutants only")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at a time")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    chosen = [m for m in MUTANTS if not args.only or m.name in args.only]
    if args.list:
        for m in chosen:
            print(f"{m.name:<44} {m.file}")
        return 0
    unknown = set(args.only or ()) - {m.name for m in MUTANTS}
    if unknown:
        print(f"unknown mutants: {', '.join(sorted(unknown))}")
        return 2
    started = time.perf_counter()
    outcomes = [Outcome(m, "stale", 0.0, why) for m in chosen if (why := stale(m))]
    runnable = [m for m in chosen if stale(m) is None]
    jobs = max(1, min(args.jobs, len(runnable) or 1))
    with tempfile.TemporaryDirectory(prefix="oncehub-mutants-") as tmp:
        trees = [Path(tmp) / f"tree{i}" for i in range(jobs)]
        for tree in trees:
            copy_tree(tree)
        check_copy(trees[0])
        named = tuple(dict.fromkeys(t for m in runnable for t in m.tests))
        status, tail = run_tests(trees[0], named)
        if status != 0:
            print(f"the named tests fail on the unchanged tree:\n{tail}")
            return 1
        print(f"baseline: {len(named)} named tests pass on the unchanged tree")
        free = list(trees)
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            pending = {}
            for mutant in runnable:
                if not free:
                    done = next(concurrent.futures.as_completed(pending))
                    free.append(pending.pop(done))
                    outcomes.append(_report(done.result()))
                tree = free.pop()
                pending[pool.submit(try_mutant, tree, mutant)] = tree
            for done in concurrent.futures.as_completed(pending):
                outcomes.append(_report(done.result()))
    return _summary(outcomes, time.perf_counter() - started, jobs)


def _report(outcome: Outcome) -> Outcome:
    print(f"{outcome.verdict:<13} {outcome.seconds:6.1f} s  {outcome.mutant.name}", flush=True)
    return outcome


def _summary(outcomes: list[Outcome], seconds: float, jobs: int) -> int:
    killed = [o for o in outcomes if o.verdict == "killed"]
    bad = [o for o in outcomes if o.verdict != "killed"]
    rate = 100.0 * len(killed) / len(outcomes) if outcomes else 0.0
    print(
        f"\n{len(killed)} of {len(outcomes)} mutants killed by their named tests ({rate:.0f} %) "
        f"in {seconds:.0f} s ({jobs} at a time)"
    )
    for o in bad:
        print(f"  {o.verdict}: {o.mutant.name} ({o.mutant.file}): {o.detail}")
        print(f"    {o.mutant.why}")
    return 1 if bad or not outcomes else 0


if __name__ == "__main__":
    raise SystemExit(main())
