# SPDX-License-Identifier: GPL-2.0-or-later
"""Minimal HTTP CONNECT and SOCKS 5 proxies for the upload tests: they relay bytes and
record what each client asked for, so a test can see the upload went through them (and,
for SOCKS 5, that the host name reached the proxy unresolved, as Tor needs).

They resolve nothing: every name leads to 127.0.0.1, at the port asked for, or at
`upstream_port` when given. So a test can use a server URL with a real-looking host name
and no port (the host-name form the stock server wants) and still reach the local
collector, without /etc/hosts and without a DNS query."""

import select
import socket
import struct
import threading


def _relay(a, b):
    sockets = [a, b]
    try:
        while True:
            readable, _, _ = select.select(sockets, [], [], 30)
            if not readable:
                return
            for s in readable:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        return
    finally:
        a.close()
        b.close()


class _Proxy:
    def __init__(self, upstream_port=None):
        self.requests = []  # (host, port) as the client asked for them
        self.upstream_port = upstream_port
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def close(self):
        self.listener.close()

    def _upstream(self, host, port):
        # Every name leads to the local collector: the test proxies resolve nothing.
        return socket.create_connection(('127.0.0.1', self.upstream_port or port), timeout=10)


class HttpConnectProxy(_Proxy):
    url_scheme = 'http'

    def _serve(self, client):
        head = b''
        while b'\r\n\r\n' not in head:
            chunk = client.recv(4096)
            if not chunk:
                client.close()
                return
            head += chunk
        method, target, _ = head.split(b'\r\n', 1)[0].decode().split(' ', 2)
        if method != 'CONNECT':
            client.sendall(b'HTTP/1.1 405 Method Not Allowed\r\n\r\n')
            client.close()
            return
        host, port = target.rsplit(':', 1)
        self.requests.append((host, int(port)))
        upstream = self._upstream(host, int(port))
        client.sendall(b'HTTP/1.1 200 Connection established\r\n\r\n')
        _relay(client, upstream)


class Socks5Proxy(_Proxy):
    url_scheme = 'socks5h'

    @staticmethod
    def _read(sock, n):
        data = b''
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise OSError('short read')
            data += chunk
        return data

    def _serve(self, client):
        try:
            version, n_methods = self._read(client, 2)
            self._read(client, n_methods)
            client.sendall(b'\x05\x00')  # no authentication
            version, command, _, address_type = self._read(client, 4)
            if address_type == 1:
                host = socket.inet_ntoa(self._read(client, 4))
            elif address_type == 3:
                host = self._read(client, self._read(client, 1)[0]).decode()
            else:
                host = socket.inet_ntop(socket.AF_INET6, self._read(client, 16))
            port, = struct.unpack('>H', self._read(client, 2))
            self.requests.append((host, port))
            upstream = self._upstream(host, port)
            client.sendall(b'\x05\x00\x00\x01' + socket.inet_aton('127.0.0.1') + b'\x00\x00')
        except OSError:
            client.close()
            return
        _relay(client, upstream)
