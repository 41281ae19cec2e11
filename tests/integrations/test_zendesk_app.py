"""The Zendesk ticket-sidebar app's package (`make zendesk-app`): a zip Zendesk accepts as a
private app, pointing the sidebar at calmline's panel and keeping the key a secure setting."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from calmline.errors import InputError
from calmline.integrations.zendesk_app import build_app, manifest

ROOT = Path(__file__).resolve().parents[2]
URL = "https://calmline.example.com"


def _read(app: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(app) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def _check_package(files: dict[str, bytes], url: str, host: str) -> None:
    assert set(files) == {"manifest.json", "translations/en.json", "assets/logo.png",
                          "assets/logo-small.png"}
    found = json.loads(files["manifest.json"])
    assert found["location"] == {"support": {"ticket_sidebar": {
        "url": f"{url}/console/panel/zendesk", "flexible": True}}}
    assert found["frameworkVersion"] == "2.0" and found["private"] is True
    assert found["domainWhitelist"] == [host]  # the secure setting may travel only there
    assert found["parameters"] == [{"name": "calmline_key", "type": "text", "secure": True,
                                    "required": True}]
    assert {"name", "email", "url"} <= set(found["author"])
    texts = json.loads(files["translations/en.json"])["app"]
    assert texts["parameters"]["calmline_key"]["label"]
    for name, size in (("assets/logo.png", 320), ("assets/logo-small.png", 128)):
        png = files[name]
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
        assert struct.unpack(">II", png[16:24]) == (size, size)


def test_the_make_target_builds_the_app(tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("no make")
    out = tmp_path / "app.zip"
    # -o: take the installed environment as it is (this test checks the target, not the install)
    done = subprocess.run(["make", "-s", "-o", ".venv/.installed", "zendesk-app",
                           f"CALMLINE_PUBLIC_URL={URL}/", f"ZENDESK_APP={out}",
                           f"BIN={Path(sys.executable).parent}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    _check_package(_read(out), URL, "calmline.example.com")


def test_a_local_address_and_a_port_for_trying_it_out(tmp_path: Path) -> None:
    app = build_app("http://localhost:8000", tmp_path / "local.zip", author_email="lead@acme.example")
    files = _read(app)
    _check_package(files, "http://localhost:8000", "localhost")
    assert json.loads(files["manifest.json"])["author"]["email"] == "lead@acme.example"


def test_the_same_inputs_build_the_same_bytes(tmp_path: Path) -> None:
    first = build_app(URL, tmp_path / "a.zip").read_bytes()
    assert build_app(URL, tmp_path / "b.zip").read_bytes() == first


@pytest.mark.parametrize("url", ["", "calmline.example.com", "ftp://calmline.example.com",
                                 "http://calmline.example.com", f"{URL}/?key=secret", f"{URL}#x"])
def test_an_address_zendesk_could_not_use_is_refused(url: str, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        manifest(url)
    done = subprocess.run([sys.executable, "-m", "calmline.integrations.zendesk_app", "--url", url,
                           "--out", str(tmp_path / "x.zip")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and done.stderr.startswith("error: ")
    assert not (tmp_path / "x.zip").exists()
