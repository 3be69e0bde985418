"""The demo patient account of `make run` signs in with its documented password and the
code of an app set up with the documented key."""

import base64

import pytest
from django.test import Client
from django_otp.oath import totp

from collis.patients.tests.factories import PatientFactory
from collis.portal.demo import (
    DEMO_PATIENT_PASSWORD,
    DEMO_TOTP_BASE32,
    DEMO_USERNAME,
    demo_portal_load,
)

pytestmark = pytest.mark.django_db


def test_the_demo_patient_signs_in_with_the_documented_key_once(sites):
    patient = PatientFactory()
    assert demo_portal_load([patient]) is True
    assert demo_portal_load([patient]) is False
    client = Client()
    assert client.post("/portal/sign-in/", {"username": DEMO_USERNAME,
                                            "password": DEMO_PATIENT_PASSWORD}).status_code == 302
    code = f"{totp(base64.b32decode(DEMO_TOTP_BASE32)):06d}"
    assert client.post("/portal/sign-in/code/", {"code": code})["Location"] == "/portal/"
    assert patient.given_name in client.get("/portal/").content.decode()
