"""The README's "Production" steps, followed as written on a fresh directory: the
production settings, migrate, collectstatic, the first administrator, gunicorn on a spare
port of 127.0.0.1, then the pages, a static file and the API through it, as a browser and
an API client behind the TLS proxy would see them.

Installing (`uv sync`, `npm ci`) is left to `make setup`, which runs before the suite; the
database, static files and uploads live in a temporary directory, never var/.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.production

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"

# The README's commands, word for word (checked below), run from the checkout.
MIGRATE = ".venv/bin/collis manage migrate --no-input"
COLLECTSTATIC = ".venv/bin/collis manage collectstatic --no-input"
CREATESUPERUSER = ".venv/bin/collis manage createsuperuser --no-input"
GUNICORN = (".venv/bin/gunicorn collis.config.wsgi --config python:collis.config.gunicorn "
            "--bind 127.0.0.1:8000")
TOKEN = ".venv/bin/collis token create"


def readme_section(title: str) -> str:
    text = README.read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(directory: Path, port: int) -> dict[str, str]:
    """What the README tells the operator to export, for a server at 127.0.0.1:port."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("COLLIS_", "DJANGO_", "DATABASE_URL", "AWS_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "collis.config.settings.production",
        "COLLIS_SECRET_KEY": secrets.token_urlsafe(50),
        "COLLIS_ALLOWED_HOSTS": "127.0.0.1",
        "COLLIS_CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite:///{directory / 'collis.sqlite3'}",
        "COLLIS_STATIC_ROOT": str(directory / "static"),
        "COLLIS_MEDIA_ROOT": str(directory / "media"),
        # gunicorn's control socket, in the test's own directory rather than ~/.gunicorn.
        "GUNICORN_CMD_ARGS": f"--control-socket {directory / 'gunicorn.ctl'}",
    })
    return env


def run(command: str, env: dict[str, str], *extra: str) -> str:
    result = subprocess.run([*command.split(), *extra], cwd=REPO, env=env, text=True,
                            capture_output=True, timeout=120, check=False)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


class Browser:
    """Just enough of a browser behind the TLS proxy: it keeps cookies (the secure ones
    too: the proxy speaks HTTPS to it) and sends what the proxy adds."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None,
                headers: dict | None = None, proxy: bool = True):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if proxy:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"https://127.0.0.1:{self.port}"
        try:
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, content

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Collis installed by the README's steps and served by gunicorn; stopped afterwards
    whatever happens."""
    directory = tmp_path_factory.mktemp("production")
    port = spare_port()
    env = production_environment(directory, port)
    # collectstatic needs no database: it runs while the database is prepared.
    collecting = subprocess.Popen(COLLECTSTATIC.split(), cwd=REPO, env=env, text=True,  # noqa: S603
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        run(MIGRATE, env)
        run(CREATESUPERUSER, env | {"DJANGO_SUPERUSER_USERNAME": "admin",
                                    "DJANGO_SUPERUSER_EMAIL": "admin@example.nhs.uk",
                                    "DJANGO_SUPERUSER_PASSWORD": "a long pass phrase 7"})
        # Staff and a patient to read: the production steps make none, so the demo data.
        run(".venv/bin/collis demo-data --patients 1 --no-logins", env)
        output, _ = collecting.communicate(timeout=120)
    finally:
        if collecting.poll() is None:
            collecting.kill()
            collecting.wait(timeout=10)
    assert collecting.returncode == 0, f"{COLLECTSTATIC} failed:\n{output}"

    log = (directory / "gunicorn.log").open("w")
    command = GUNICORN.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    process = subprocess.Popen(command.split(), cwd=REPO, env=env, stdout=log,  # noqa: S603
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (
                f"gunicorn exited:\n{(directory / 'gunicorn.log').read_text()}")
            try:
                Browser(port).get("/login/")  # answered once a worker has loaded Collis
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.2)
        yield {"port": port, "env": env, "directory": directory}
    finally:
        # gunicorn and its workers are the process group this test started.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        log.close()


def a_patient(server) -> tuple[str, str]:
    """The id (as in URLs) and NHS number of a demo patient, read from the database."""
    database = sqlite3.connect(server["directory"] / "collis.sqlite3")
    try:
        patient_id, nhs_number = database.execute(
            "SELECT id, nhs_number FROM patients_patient ORDER BY nhs_number").fetchone()
    finally:
        database.close()
    return str(uuid.UUID(patient_id)), nhs_number


def sign_in(browser: Browser, username: str, password: str):
    response, content = browser.get("/login/")
    assert response.status == 200
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
    return browser.request("POST", "/login/", body={
        "csrfmiddlewaretoken": token.decode(), "username": username, "password": password,
        "next": ""})


def test_the_readme_gives_these_production_commands():
    section = readme_section("Production")
    for command in (MIGRATE, COLLECTSTATIC, CREATESUPERUSER,
                    GUNICORN, "DJANGO_SETTINGS_MODULE=collis.config.settings.production",
                    "COLLIS_SECRET_KEY=", "COLLIS_ALLOWED_HOSTS=",
                    "COLLIS_CSRF_TRUSTED_ORIGINS=", "COLLIS_STATIC_ROOT", "COLLIS_MEDIA_ROOT",
                    "X-Forwarded-Proto", "COLLIS_SECURE_SSL_REDIRECT"):
        assert command in section, command
    assert TOKEN in readme_section("The API")


def test_the_login_page_and_every_static_file_it_names_are_served(server):
    browser = Browser(server["port"])
    response, content = browser.get("/login/")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"Sign in to Collis" in content
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]

    static_paths = set(re.findall(rb'(?:href|src)="(/static/[^"]+)"', content))
    assert any(path.endswith(b".css") for path in static_paths)
    for path in static_paths:
        # Every file has its content's hash in its name and may be cached for ever.
        assert re.search(rb"\.[0-9a-f]{12}\.\w+$", path), path
        asset, body = browser.get(path.decode())
        assert asset.status == 200, path
        assert body
        assert "max-age=315360000" in asset.headers["Cache-Control"], path


def test_plain_http_is_redirected_to_https(server):
    response, _ = Browser(server["port"]).get("/login/", proxy=False)
    assert response.status == 301
    assert response.headers["Location"].startswith("https://")


def test_the_administrator_signs_in(server):
    browser = Browser(server["port"])
    response, _ = sign_in(browser, "admin", "a long pass phrase 7")
    assert response.status == 302
    assert "sessionid" in browser.cookies
    response, content = browser.get("/admin/")
    assert response.status == 200


def test_a_neurologist_signs_in_and_opens_a_patients_record(server):
    browser = Browser(server["port"])
    response, _ = sign_in(browser, "neurologist", "collis-demo")
    assert response.status == 302, "sign-in through the form failed"

    patient_id, nhs_number = a_patient(server)
    response, content = browser.get(f"/patients/?q={nhs_number}")
    assert response.status == 200
    assert f"/patients/{patient_id}/".encode() in content
    response, content = browser.get(f"/patients/{patient_id}/")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"NHS number" in content


def test_every_page_linked_from_the_record_is_served(server):
    """Follow the links a neurologist sees from home and a patient's record (at most 80
    pages): none may fail, as a page naming a static file the manifest lacks would."""
    browser = Browser(server["port"])
    sign_in(browser, "neurologist", "collis-demo")
    patient_id, _ = a_patient(server)
    queue, seen = ["/", f"/patients/{patient_id}/"], set()
    while queue and len(seen) < 80:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response, content = browser.get(path)
        assert response.status < 500, f"{path} answered {response.status}"
        if response.status == 200 and response.headers["Content-Type"].startswith("text/html"):
            for link in re.findall(rb'href="(/[^"#?]*)', content):
                link = link.decode()
                if not link.startswith(("/static/", "/logout", "/admin/")):
                    queue.append(link)
    assert len(seen) > 10


def test_the_api_answers_with_a_token_from_the_command_line(server):
    token = run(TOKEN, server["env"], "neurologist").strip()
    patient_id, nhs_number = a_patient(server)
    response, content = Browser(server["port"]).get(
        f"/api/v1/patients?q={nhs_number}", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200, content
    assert response.headers["Content-Type"].startswith("application/json")
    found = json.loads(content)
    assert found["count"] == 1
    assert str(found["results"][0]["id"]).replace("-", "") == patient_id.replace("-", "")
