"""Where uploaded files are kept: MEDIA_ROOT by default, or a private bucket of
S3-compatible object storage (django-storages' S3 backend) when COLLIS_S3_BUCKET is set.
The bucket is served by moto's S3 server, started here on a spare port of 127.0.0.1."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile

from collis.config.settings.base import media_storage

pytestmark = pytest.mark.production

PDF = b"%PDF-1.4\n% a report that only permitted staff may read\n"
REGION = "eu-west-2"


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, bytes]:
    """GET a URL of the local S3 server as anyone on the network would: no credentials."""
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    """moto's S3-compatible server on 127.0.0.1, stopped afterwards whatever happens."""
    port = spare_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "moto_server exited"
            try:
                fetch(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                assert time.monotonic() < deadline, "moto_server did not start within 60 s"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
        log.close()


@pytest.fixture
def s3_storage(s3_server, settings, monkeypatch):
    """Django's default storage configured, as in production, from the environment."""
    import boto3

    bucket = f"collis-test-{uuid.uuid4().hex[:12]}"
    for name, value in {
        "COLLIS_S3_BUCKET": bucket, "COLLIS_S3_ENDPOINT_URL": s3_server,
        "COLLIS_S3_REGION": REGION, "COLLIS_S3_PREFIX": "media",
        "AWS_ACCESS_KEY_ID": "collis-test", "AWS_SECRET_ACCESS_KEY": "collis-test-secret",
        "NO_PROXY": "127.0.0.1",
    }.items():
        monkeypatch.setenv(name, value)
    boto3.client("s3", endpoint_url=s3_server, region_name=REGION).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {**settings.STORAGES, "default": media_storage()}

    from django.core.files.storage import default_storage

    return default_storage


def test_without_a_bucket_uploaded_files_stay_under_media_root(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("COLLIS_S3_BUCKET", raising=False)
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": media_storage()}
    from django.core.files.storage import default_storage

    name = default_storage.save("investigations/report.pdf", ContentFile(PDF))
    assert (tmp_path / name).read_bytes() == PDF


def test_a_file_saved_to_the_bucket_is_read_back_through_djangos_storage_api(s3_storage):
    from storages.backends.s3 import S3Storage

    assert isinstance(s3_storage, S3Storage)
    name = s3_storage.save("investigations/report.pdf", ContentFile(PDF))
    assert s3_storage.exists(name)
    assert s3_storage.size(name) == len(PDF)
    with s3_storage.open(name, "rb") as stored:
        assert stored.read() == PDF
    # Under the configured prefix, in the configured bucket.
    assert urlsplit(s3_storage.url(name)).path == f"/{s3_storage.bucket_name}/media/{name}"


def test_saving_under_a_name_in_use_never_overwrites_a_file(s3_storage):
    first = s3_storage.save("investigations/report.pdf", ContentFile(PDF))
    second = s3_storage.save("investigations/report.pdf", ContentFile(b"%PDF-1.4 other"))
    assert first != second
    with s3_storage.open(first, "rb") as stored:
        assert stored.read() == PDF


def test_a_stored_file_is_readable_only_through_a_signed_short_lived_url(s3_storage):
    name = s3_storage.save("investigations/report.pdf", ContentFile(PDF))
    signed = s3_storage.url(name)
    assert "X-Amz-Signature=" in signed
    assert "X-Amz-Expires=300" in signed
    assert fetch(signed) == (200, PDF)

    status, body = fetch(signed.split("?")[0])
    assert status == 403, "the file can be read without a signature"
    assert PDF not in body


def test_a_deleted_file_is_gone_and_opening_it_says_so(s3_storage):
    name = s3_storage.save("investigations/report.pdf", ContentFile(PDF))
    s3_storage.delete(name)
    assert not s3_storage.exists(name)
    with pytest.raises(FileNotFoundError):
        s3_storage.open(name, "rb")
    s3_storage.delete(name)  # deleting what is already gone is not an error
