"""calmline's HTTP service: a FastAPI app over the engine and the case store (`create_app`)."""

from calmline.service.app import create_app

__all__ = ["create_app"]
