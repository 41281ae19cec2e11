"""`python -m calmline.integrations.zendesk_app --url https://calmline.example.com`: the zip to
upload as a private Zendesk app (what `make zendesk-app` runs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from calmline.errors import InputError
from calmline.integrations.zendesk_app.package import build_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m calmline.integrations.zendesk_app",
                                     description="Build calmline's Zendesk ticket-sidebar app.")
    parser.add_argument("--url", required=True,
                        help="calmline's public HTTPS address, as Zendesk's servers reach it")
    parser.add_argument("--out", type=Path, default=Path("dist/calmline-zendesk-app.zip"))
    parser.add_argument("--author-email", default=None,
                        help="where users of the app write for help (default support@<host>)")
    args = parser.parse_args(argv)
    try:
        built = build_app(args.url, args.out, author_email=args.author_email)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"built {built}: upload it in Zendesk Admin Center → Apps and integrations → Zendesk "
          "Support apps → Upload private app")
    return 0


if __name__ == "__main__":
    sys.exit(main())
