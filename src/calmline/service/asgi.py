"""`calmline.service.asgi:app`: the app uvicorn imports (configured from CALMLINE_* settings).

Built on import on purpose: this module exists only to be named on a server's command line. The
engine is warmed up before the first request. The models, playbooks and app built here live as
long as the server process, so they are moved out of the garbage collector's reach (`gc.freeze`)
and young collections run less often: full collections otherwise walk them all and stall requests.
"""

import gc

from calmline.service import coaching
from calmline.service.app import create_app

app = create_app()
coaching.warm_up(app.state.calmline.engine)
gc.collect()
gc.freeze()
gc.set_threshold(20_000, 20, 20)
