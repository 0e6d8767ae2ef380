"""Device test fixtures: files under a scratch VAR_DIR; huey tasks run at once, in the test."""

from __future__ import annotations

import pytest
from huey.contrib.djhuey import HUEY


@pytest.fixture
def var_dir(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """``with run_tasks(): ...`` runs the on-commit enqueues of the block's services at its
    end, and huey runs each task when enqueued (immediate mode) in this thread."""
    previous = HUEY.immediate
    HUEY.immediate = True
    yield lambda: django_capture_on_commit_callbacks(execute=True)
    HUEY.immediate = previous
