"""The demo: its commands `stadsdel demo` and `stadsdel synth`; no models."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "stadsdel.demo"
