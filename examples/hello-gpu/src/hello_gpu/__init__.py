"""hello-gpu: report what the container sees."""

__version__ = "0.1.0"
