"""Gunicorn's settings for Collis (`gunicorn --config python:collis.config.gunicorn`).

One sync worker per core by default: Collis is bound by Python on the CPU, so more workers
than cores only add switching (measured on 2 cores: 4 workers were 7-23% slower than 2).
`COLLIS_WORKERS` overrides it; see the README's "Sizing" for a unit and for several."""

import multiprocessing
import os

workers = int(os.environ.get("COLLIS_WORKERS") or multiprocessing.cpu_count())
worker_class = "sync"
# A worker is replaced after this many requests (with jitter), which bounds any slow growth
# of its memory without all workers restarting at once.
max_requests = 5000
max_requests_jitter = 500
