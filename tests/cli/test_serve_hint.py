"""``detente serve`` without the web extra says how to install it: from a source
checkout, from the checkout itself."""

from __future__ import annotations

import sys

import pytest

import detente.cli.serve as serve_module


@pytest.fixture
def without_web(monkeypatch):
    monkeypatch.setitem(sys.modules, "detente.web", None)  # importing it fails


def checkout(folder, name="detente"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n', encoding="utf-8")
    return folder


def test_from_a_checkout_it_advises_installing_the_checkout(
    run_cli, without_web, monkeypatch, tmp_path
):
    # the package installed into site-packages, the user in a checkout of it
    installed = tmp_path / "venv" / "lib" / "site-packages" / "detente" / "cli" / "serve.py"
    monkeypatch.setattr(serve_module, "__file__", str(installed))
    monkeypatch.chdir(checkout(tmp_path / "detente-src"))
    out = run_cli("serve")
    assert out.exit_code == 1
    assert "pip install '.[web]'" in out.stderr


def test_elsewhere_it_advises_the_package_or_the_checkout_it_runs_from(tmp_path):
    module = tmp_path / "site" / "detente" / "cli" / "serve.py"
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    assert serve_module.install_command(elsewhere, module) == "pip install 'detente[web]'"
    other = checkout(tmp_path / "other", name="something-else")
    assert serve_module.install_command(other, module) == "pip install 'detente[web]'"
    source = checkout(tmp_path / "src-checkout")
    editable = source / "src" / "detente" / "cli" / "serve.py"
    assert serve_module.install_command(elsewhere, editable) == f"pip install '{source}[web]'"
    assert serve_module.install_command(source / "docs", module) == f"pip install '{source}[web]'"
