"""A stand-in SIEM for the end-to-end suites: an HTTP server on a free 127.0.0.1 port that
records every request (path, headers, body) and answers 200 with a fixed body.

    with HttpCapture(b'{"text":"Success","code":0}') as siem:
        ... url = siem.url("/services/collector/event") ...
        requests = siem.wait(lambda reqs: count(reqs) >= n)
"""

import http.server
import threading
import time


class Request:
    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body

    def __repr__(self):
        return "Request(%s %s, %d bytes)" % (self.method, self.path, len(self.body))


class HttpCapture:
    def __init__(self, answer=b"{}"):
        capture = self
        self.requests = []
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with capture.lock:
                    capture.requests.append(Request("POST", self.path, dict(self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def snapshot(self):
        with self.lock:
            return list(self.requests)

    def wait(self, done, timeout=30, settle=0.5, what="requests"):
        """Polls until done(requests) is true, then a little longer so extra requests would show."""
        deadline = time.monotonic() + timeout
        while not done(self.snapshot()):
            if time.monotonic() > deadline:
                raise AssertionError("timeout after %ds waiting for %s, have %r" % (timeout, what, self.snapshot()))
            time.sleep(0.05)
        time.sleep(settle)
        return self.snapshot()
