"""Chorus backend: the Litestar API and all domain logic."""

import os

# Piccolo finds its engine and apps through this module (migrations, CLI).
os.environ.setdefault("PICCOLO_CONF", "backend.piccolo_conf")
