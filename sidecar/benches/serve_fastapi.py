"""The comparison service of the `serve` benchmark: FastAPI validating FIA documents against the
JSON Schema bistand publishes (`bistand schema fia`), with Python's jsonschema, over TLS.

A fair, ordinary implementation: the schema is compiled once (Draft 2020-12 validator), each
request body is parsed and every schema error is collected, as the sidecar collects findings.
Run by sidecar/benches/serve.rs; install with scripts/bench-serve.sh.
"""

import argparse
import json

import jsonschema
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--schema", required=True)
parser.add_argument("--cert", required=True)
parser.add_argument("--key", required=True)
parser.add_argument("--workers", type=int, default=2)
args, _ = parser.parse_known_args()

with open(args.schema, encoding="utf-8") as f:
    SCHEMA = json.load(f)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

app = FastAPI()


@app.post("/v1/validate")
async def validate(request: Request):
    document = json.loads(await request.body())
    errors = [
        {"path": "/".join(str(p) for p in error.absolute_path), "message": error.message}
        for error in VALIDATOR.iter_errors(document)
    ]
    return JSONResponse({"valid": not errors, "errors": len(errors), "findings": errors})


if __name__ == "__main__":
    uvicorn.run(
        "serve_fastapi:app",
        app_dir=__import__("os").path.dirname(__file__),
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        ssl_certfile=args.cert,
        ssl_keyfile=args.key,
        log_level="warning",
        access_log=False,
    )
