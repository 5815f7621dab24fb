"""A cloud LLM on loopback: the one part outside the product, so the one part faked, over real HTTP."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeCloud:
    def __init__(self, *, model: str = "cloud-large", api_key: str = "sk-test"):
        self.model, self.api_key = model, api_key
        self.failures: list[int] = []  # statuses to answer before succeeding, e.g. [429, 503]
        self.requests: list[dict] = []
        self.answers: dict[str, str] = {}  # prompt -> what this "model" knows; anything else is echoed
        self.delay_seconds = 0.0  # how long each completion takes: a slow model, for work to interrupt
        cloud = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict | None = None, headers: dict | None = None):
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.headers.get("Authorization") != f"Bearer {cloud.api_key}":
                    return self._send(401, {"error": {"message": "bad key"}})
                self._send(200, {"object": "list", "data": [{"id": cloud.model, "object": "model"}]})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                cloud.requests.append({"path": self.path, **body})
                time.sleep(cloud.delay_seconds)
                if self.headers.get("Authorization") != f"Bearer {cloud.api_key}":
                    return self._send(401, {"error": {"message": "bad key"}})
                if cloud.failures:
                    return self._send(cloud.failures.pop(0), {"error": {"message": "busy"}}, {"Retry-After": "0"})
                if body.get("model") != cloud.model:
                    return self._send(404, {"error": {"message": f"no model {body.get('model')}"}})
                source = body["messages"][-1]["content"] if "messages" in body else body["prompt"]
                text = cloud.answers.get(source, f"echo: {source}")[: body.get("max_tokens", 64)]
                if body.get("stream"):
                    return self._stream(text, chat="messages" in body)
                choice = {"message": {"role": "assistant", "content": text}} if "messages" in body else {"text": text}
                self._send(
                    200,
                    {
                        "choices": [{**choice, "index": 0, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": len(source), "completion_tokens": len(text)},
                    },
                )

            def _stream(self, text: str, chat: bool):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for i in range(0, len(text), 4):
                    piece = text[i : i + 4]
                    choice = {"delta": {"content": piece}} if chat else {"text": piece}
                    self.wfile.write(f"data: {json.dumps({'choices': [choice]})}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
