"""Create API keys for Huashu and the sha256 digests the service stores instead of them.

uv run python scripts/api_key.py new            # a fresh key and its digest
uv run python scripts/api_key.py hash KEY       # the digest of an existing key
uv run python scripts/api_key.py new --json

Configure either the key (HUASHU_API_KEYS=key1,key2) or only its digest
(HUASHU_API_KEY_HASHES=digest1,digest2) so the server never sees the key in clear.
To revoke a key, remove it (or its digest) from the setting and restart the service.
"""

import argparse
import json
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

KEY_BYTES = 32


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("new", help="create a random key")
    new.add_argument("--json", action="store_true", help="print {key, sha256} as JSON")
    hashed = commands.add_parser("hash", help="the sha256 digest of a key")
    hashed.add_argument("key", help="the key (at least 16 characters)")
    hashed.add_argument("--json", action="store_true", help="print {sha256} as JSON")
    args = parser.parse_args()

    from app.access import MIN_KEY_CHARS, key_digest

    if args.command == "new":
        key = "hs_" + secrets.token_urlsafe(KEY_BYTES)
        record = {"key": key, "sha256": key_digest(key)}
    else:
        if len(args.key.strip()) < MIN_KEY_CHARS:
            parser.error(f"a key needs at least {MIN_KEY_CHARS} characters")
        record = {"sha256": key_digest(args.key.strip())}
    if args.json:
        print(json.dumps(record))
        return
    if "key" in record:
        print(f"key (give it to the agent, shown once): {record['key']}")
    print(f"sha256 (HUASHU_API_KEY_HASHES):          {record['sha256']}")


if __name__ == "__main__":
    main()
