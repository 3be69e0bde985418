"""The one rule for URLs: config/urls.py mounts every app once, at the root, and each app's
urls.py gives its full paths, starting a patient's pages with PATIENT and a pathway episode's
pages with EPISODE (ADR 0007)."""

PATIENT = "patients/<uuid:patient_id>/"
EPISODE = PATIENT + "episodes/<int:episode_id>/"
