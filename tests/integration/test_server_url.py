# SPDX-License-Identifier: GPL-2.0-or-later
"""The server URL forms against a collector that routes as the stock Azafea front end does.

The stock azafea-metrics-proxy serves PUT /2/<sha512> and PUT /3/<sha512> at the root of
its site only, so the environment goes in the host name (`https://${environment}.<domain>/`),
which is what the built-in default says. A path prefix works only behind a reverse proxy
that strips it (the collector's --path-prefix).

The built-in default has no port and a public host name. It reaches the local collector
through recorder.conf's ProxyUrl, the documented way to send uploads through a proxy: the
test's SOCKS 5 proxy takes the name unresolved and leads every connection to the
collector. Nothing is looked up in DNS and /etc/hosts is not touched.
"""

import os
import re
import unittest
import urllib.parse

from proxies import Socks5Proxy
from uploads import Collector, UploadTestCase


class BuiltInDefaultTest(UploadTestCase):

    def built_in_default(self):
        """The server_url and environment the recorder writes into a missing permissions
        file: the build's default, whatever it was configured to."""
        os.remove(self.env.permissions_file)
        self.start()
        self.wait_for(lambda: os.path.exists(self.env.permissions_file),
                      what='the first-run permissions file')
        written = self.env.read_permissions()['global']
        self.assertEqual(written['uploading_enabled'], 'false')
        return written['server_url'], written['environment']

    def test_the_built_in_default_reaches_a_stock_routed_server(self):
        url, environment = self.built_in_default()
        parts = urllib.parse.urlsplit(url)
        self.assertEqual(parts.scheme, 'https', url)
        self.assertTrue(parts.hostname.startswith('${environment}.'), url)
        self.assertIn(parts.path, ('', '/'), f'{url} has a path the stock server does not route')
        host = parts.hostname.replace('${environment}', environment)

        # A collector with a certificate for that name, at the root of its site.
        server = Collector(self, names=[host])
        proxy = Socks5Proxy(upstream_port=server.port)
        self.addCleanup(proxy.close)
        self.recorder_conf.update(TrustFile=os.path.join(server.tmp, 'certs', 'ca.pem'),
                                  ProxyUrl=f'socks5h://127.0.0.1:{proxy.port}')
        # Read again before every upload: no restart needed.
        self.env.write_recorder_conf(**self.recorder_conf)

        # Consent granted, the built-in server_url left as it was written.
        text = self.env.read_permissions_text()
        self.env.write_permissions(re.sub(r'(?m)^uploading_enabled=false$',
                                          'uploading_enabled=true', text))
        self.wait_for(lambda: self.control('ConsentState') == 'granted', what='the consent')
        self.assertEqual(self.control('ServerUrl'), url.replace('${environment}', environment))

        markers = self.record_marked(5)
        self.assertEqual(self.upload(), (5, 1))
        rows = server.rows()
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]['path'], '/3/' + rows[0]['sha512'])
        self.assertEqual(self.ledger()[-1][:2], ('Success', 200))
        self.collector = server  # for assert_exactly_once
        self.assert_exactly_once(markers)
        # The name went to the proxy unresolved, at the default HTTPS port.
        self.assertEqual(proxy.requests, [(host, 443)])
        self.assertEqual(self.env.query('SELECT url FROM ledger'),
                         [(f'https://{host}/3/{rows[0]["sha512"]}',)])


class PathPrefixTest(UploadTestCase):
    """A path prefix: for a server behind a reverse proxy that strips it, only."""

    def test_a_path_prefix_reaches_a_server_behind_a_stripping_proxy(self):
        server = Collector(self, path_prefix='/metrics/test')
        self.grant(url=f'https://127.0.0.1:{server.port}/metrics/${{environment}}/')
        self.start(TrustFile=os.path.join(server.tmp, 'certs', 'ca.pem'))
        markers = self.record_marked(3)
        self.assertEqual(self.upload(), (3, 1))
        rows = server.rows()
        self.assertEqual(rows[0]['path'], '/metrics/test/3/' + rows[0]['sha512'])
        self.collector = server
        self.assert_exactly_once(markers)

    def test_a_path_prefix_the_server_does_not_strip_pauses_with_405(self):
        self.grant(url=f'https://127.0.0.1:{self.collector.port}/${{environment}}/')
        self.start()
        self.record_marked(3)
        err = self.upload_error()
        self.assertEqual(err.name, 'com.endlessm.Metrics.Error.UploadDestinationWrong', err.message)
        self.assertIn('405', err.message)
        self.assertEqual(self.queued(), 3)
        self.assertEqual(self.collector.rows(), [])


if __name__ == '__main__':
    unittest.main()
