"""The repository's own tooling: the Makefile targets, the benchmark's data
generator and the documentation's links."""
import os
import random
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def make_dry_run(*args: str) -> list[str]:
    """The commands ``make`` would run (``make -n``), outside any calling make."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    result = subprocess.run(["make", "-n", "--no-print-directory", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, check=True)
    return result.stdout.splitlines()


def test_make_run_prints_the_port_it_serves_on():
    lines = make_dry_run("run", "PORT=8123")
    seed = next(line for line in lines if "seed_demo" in line)
    assert seed.endswith("seed_demo --addrport 127.0.0.1:8123")
    assert any(line.endswith("runserver 127.0.0.1:8123") for line in lines)


@pytest.mark.parametrize("target", ["bench", "bench-pg"])
def test_bench_collects_static_files_and_compiles_messages_first(target):
    """The list pages need the static files manifest (a fresh clone has none)."""
    lines = make_dry_run(target)
    first_benchmark = next(i for i, line in enumerate(lines) if "bench/run.py" in line)
    assert any("manage.py collectstatic" in line for line in lines[:first_benchmark])
    assert any("manage.py compilemessages" in line for line in lines[:first_benchmark])


def load_bench_run():
    """bench/run.py as a module (it is a script, not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_names_the_accounts_of_a_million_contacts():
    """`bench/run.py --sizes 1000000` needs 100,000 account names; the words
    make 26,400, so names repeat with a number instead of stopping at 264k contacts."""
    from bench.lib import data

    args = load_bench_run().parse_args(["--sizes", "1000000"])
    n_accounts = args.sizes[0] // 10
    names = data.account_names(random.Random(2026), n_accounts)
    assert len(names) == n_accounts == 100_000
    assert len({name for _base, name, _city in names}) == n_accounts
    assert len({data.ascii_slug(base) for base, _name, _city in names}) == n_accounts   # distinct e-mail domains
    assert all(0 <= city < len(data.CITIES) for _base, _name, city in names)
    repeated = [name for base, name, _city in names if base.endswith(" 2")]
    assert repeated and all(name.endswith((" 2", " 2 AS", " 2 SAS", " 2 SARL", " 2 Sp. z o.o.", " 2 S.A.", " 2 Ltd"))
                            for name in repeated)


def test_no_tracked_file_points_outside_the_repository():
    """The repository carries its own documentation (docs/architecture.md);
    nothing may send a reader to a folder beside the clone."""
    needle = "../" + "shared"   # spelt in two parts so this file does not match itself
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    assert len(files) > 100
    paths = [ROOT / name.decode() for name in files if name]
    offending = [str(path.relative_to(ROOT)) for path in paths if path.is_file() and needle.encode() in path.read_bytes()]
    assert offending == []


def test_the_readme_points_at_the_architecture_document():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/architecture.md" in readme
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for term in ("RecordViewSet", "list_fields", "get_object", "registry.register", "search_fields",
                 "RecordViewTests", "project_urls.py", "services.py", "selectors.py"):
        assert term in architecture, term


def test_no_template_comment_spans_lines():
    """Django's ``{# … #}`` comment ends at the line's end: one spread over two
    lines is printed on the page, as the lists' filter column once showed.
    Longer comments use ``{% comment %}``."""
    spread = re.compile(r"\{#(?:(?!#\}).)*?\n", re.S)
    templates = [path for path in ROOT.glob("**/templates/**/*")
                 if path.is_file() and not {".venv", ".git"} & set(path.parts)]
    assert len(templates) > 50
    offending = [f"{path.relative_to(ROOT)}:{text[:match.start()].count(chr(10)) + 1}"
                 for path in templates for text in [path.read_text(encoding="utf-8")]
                 for match in spread.finditer(text)]
    assert offending == []
