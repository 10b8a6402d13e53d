"""Real network faults between the dashboard and a real service: a TCP proxy the test can
switch to refusing connections, to silence (accepts, never answers), or to slowness.

Nothing is mocked: the app's driver talks TCP to the proxy, the proxy to PostgreSQL, Redis
or an HTTP server, and a fault is what that driver would meet on a broken network.
"""

from __future__ import annotations

import socket
import threading
import time

from tests.support.services import free_port


class TcpProxy:
    PASS = "pass"
    SILENT = "silent"  # connections are accepted and then nothing is ever answered

    def __init__(self, target_host: str, target_port: int, port: int | None = None):
        self.target = (target_host, target_port)
        self.port = port or free_port()
        self.mode = self.PASS
        self.delay_s = 0.0
        self.bytes_from_server = 0  # what the server sent through the proxy, for transfer-size tests
        self._listener: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    # -- control ----------------------------------------------------------------------

    def start(self) -> TcpProxy:
        self._listen()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._close_listener()
        self.cut()

    def refuse(self) -> None:
        """Like a stopped server: new connections are refused, open ones are reset."""
        self._close_listener()
        self.cut()

    def silence(self) -> None:
        """Like a blocked network or a frozen server: connects succeed, nothing comes back."""
        self.mode = self.SILENT
        self.cut()
        if self._listener is None:
            self._listen()

    def fall_silent(self) -> None:
        """Like silence(), but the open connections stay open too and simply stop answering
        (a frozen server keeps its sockets): pooled connections hang mid-query."""
        self.mode = self.SILENT

    def answer_again(self) -> None:
        """The server answers new connections again; nothing is reset, so whatever the client
        left hanging is the client's to give up on."""
        self.mode = self.PASS

    def slow(self, delay_s: float) -> None:
        """Every chunk of data from the server arrives `delay_s` late."""
        self.delay_s = delay_s

    def restore(self) -> None:
        self.mode = self.PASS
        self.delay_s = 0.0
        self.cut()
        if self._listener is None:
            self._listen()

    def cut(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, set()
        for conn in connections:
            _close(conn)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- plumbing ---------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        for _ in range(50):  # the port may linger briefly after a refuse()
            try:
                listener.bind(("127.0.0.1", self.port))
                break
            except OSError:
                time.sleep(0.1)
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept_loop, args=(listener,), daemon=True).start()

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            _close(listener)

    def _accept_loop(self, listener: socket.socket) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections.add(client)
            if self.mode == self.SILENT:
                continue  # hold the connection open and say nothing
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._connections.add(upstream)
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, from_server: bool) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if from_server and self.delay_s:
                    time.sleep(self.delay_s)  # the slowness is the fault being injected
                if self.mode == self.SILENT:
                    continue
                if from_server:
                    with self._lock:  # counted before it is passed on, so a reader that has it sees it counted
                        self.bytes_from_server += len(data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
