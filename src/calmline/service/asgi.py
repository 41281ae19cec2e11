"""`calmline.service.asgi:app`: the app uvicorn imports (configured from CALMLINE_* settings).

Built on import on purpose: this module exists only to be named on a server's command line.
"""

from calmline.service.app import create_app

app = create_app()
