"""Take it home: the built book carries the wheel of the package that built it, every downloadable
notebook says first how to install it, and the wheel, installed in a fresh virtual environment,
runs a notebook downloaded from the book and checks a derivation, with nothing downloaded."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

import xentropy
from xentropy.sphinxext.downloads import wheel_name

ROOT = Path(__file__).resolve().parents[2]
WHEEL = wheel_name(xentropy.__version__)

pytestmark = pytest.mark.book


def test_the_book_carries_the_wheel_of_the_source_that_built_it(built_book: Path) -> None:
    wheel = built_book / WHEEL
    assert wheel.is_file()
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        sources = sorted((ROOT / "src").rglob("*.py"))
        assert sources
        for source in sources:
            name = source.relative_to(ROOT / "src").as_posix()
            assert archive.read(name) == source.read_bytes(), name
        metadata = archive.read(f"xentropy-{xentropy.__version__}.dist-info/METADATA").decode()
    assert f"Version: {xentropy.__version__}\n" in metadata
    assert "Requires-Dist: lark" in metadata
    assert "xentropy/check/reader.py" in names


def test_every_downloadable_notebook_says_first_how_to_install_the_package(
    built_book: Path,
) -> None:
    notebooks = sorted((built_book / "_sources").glob("*.ipynb"))
    assert {p.stem for p in notebooks} >= {"derivation", "check-your-derivation", "exercises"}
    for notebook in notebooks:
        first = json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]
        assert first["cell_type"] == "markdown", notebook.name
        assert f'pip install "{WHEEL}[book]"' in "".join(first["source"]), notebook.name


@pytest.fixture(scope="module")
def fresh_environment(built_book: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with the book's wheel installed, and nothing else of xentropy.

    Nothing may be downloaded while the tests run, so the wheel is installed without its
    dependencies, and a .pth file lends the environment the dependencies already installed
    for the book (NumPy, SymPy, Lark, Jupyter...). A .pth line adds a folder, not the .pth
    files in it, so the editable install of the working tree is not among them.
    """
    folder = tmp_path_factory.mktemp("fresh") / "venv"
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    borrowed = sysconfig.get_paths()["purelib"]
    (Path(purelib) / "dependencies-of-the-book.pth").write_text(borrowed + "\n")
    install = [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
    subprocess.run([*install, str(built_book / WHEEL)], check=True, capture_output=True)
    # a Jupyter kernel that runs this environment's Python, declared in the environment itself
    kernel = [str(python), "-m", "ipykernel", "install", "--sys-prefix", "--name", "fresh"]
    subprocess.run(kernel, check=True, capture_output=True)
    return python


def run(python: Path, code: str, *arguments: str, stdin: str = "") -> subprocess.CompletedProcess:
    command = [str(python), "-c", textwrap.dedent(code), *arguments]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, check=False)


def test_the_fresh_environment_runs_the_wheel_not_the_working_tree(
    fresh_environment: Path,
) -> None:
    found = run(fresh_environment, "import xentropy; print(xentropy.__file__)")
    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()).is_relative_to(fresh_environment.parents[1])
    assert not Path(found.stdout.strip()).is_relative_to(ROOT)


def test_the_wheels_declared_dependencies_are_met_in_the_fresh_environment(
    fresh_environment: Path,
) -> None:
    # installed without its dependencies (nothing may be downloaded), the wheel still declares
    # them: pip check reads its Requires-Dist against what the environment has, versions too
    checked = subprocess.run(
        [str(fresh_environment), "-m", "pip", "check"], capture_output=True, text=True, check=False
    )
    about_the_wheel = [
        line for line in checked.stdout.splitlines() if line.lower().startswith("xentropy ")
    ]
    assert about_the_wheel == [], checked.stdout


def test_a_downloaded_notebook_runs_in_the_fresh_environment(
    fresh_environment: Path, built_book: Path, tmp_path: Path
) -> None:
    downloaded = tmp_path / "check-your-derivation.ipynb"
    downloaded.write_bytes((built_book / "_sources" / "check-your-derivation.ipynb").read_bytes())
    execute = """
        import sys
        import nbformat
        from nbclient import NotebookClient

        path = sys.argv[1]
        notebook = nbformat.read(path, as_version=4)
        where = "import xentropy; print(xentropy.__file__)"
        notebook.cells.append(nbformat.v4.new_code_cell(where))
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs = []
        NotebookClient(notebook, timeout=600, kernel_name="fresh").execute()
        nbformat.write(notebook, path)
    """
    result = run(fresh_environment, execute, str(downloaded))
    assert result.returncode == 0, result.stderr[-3000:]
    cells = json.loads(downloaded.read_text(encoding="utf-8"))["cells"]
    printed = [
        "".join(output.get("text", "") or output.get("data", {}).get("text/plain", ""))
        for cell in cells
        if cell["cell_type"] == "code"
        for output in cell["outputs"]
    ]
    kinds = [o["output_type"] for c in cells if c["cell_type"] == "code" for o in c["outputs"]]
    assert "error" not in kinds
    assert any("WRONG" in text and "hint: the sign is flipped" in text for text in printed)
    assert Path(printed[-1].strip()).is_relative_to(fresh_environment.parents[1])


def test_the_fresh_environment_checks_a_derivation_from_the_command_line(
    fresh_environment: Path,
) -> None:
    student = (ROOT / "tests" / "check" / "students" / "wrong-missing-mean.md").read_text()
    command = [str(fresh_environment), "-m", "xentropy", "check", "-"]
    result = subprocess.run(command, input=student, capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stderr
    assert "hint: a factor 1/n is missing" in result.stdout
    assert sys.executable != str(fresh_environment)
