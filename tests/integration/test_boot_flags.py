# SPDX-License-Identifier: GPL-2.0-or-later
"""The boot-type flags of each upload: live from the kernel command line, dual boot never."""

import unittest

from uploads import UploadTestCase

FEDORA_LIVE = ('BOOT_IMAGE=/images/pxeboot/vmlinuz root=live:CDLABEL=Fedora-WS-Live-40-1-14 '
               'rd.live.image quiet rhgb\n')
INSTALLED = ('BOOT_IMAGE=(hd0,gpt2)/vmlinuz-6.8.5-301.fc40.x86_64 '
             'root=UUID=0d2f0e6f-2f4e-4e68-9c6e-3b0c8e1d5a7b ro rootflags=subvol=root rhgb quiet\n')


class BootFlagsTest(UploadTestCase):

    def flags_sent(self, cmdline):
        with open(self.env.kernel_cmdline, 'w') as f:
            f.write(cmdline)
        self.start()
        self.record_marked(2)
        self.assertEqual(self.upload()[1], 1)
        request = self.collector.next_line()['request']
        return request['boot_flags'], request['live_boot'], request['dual_boot']

    def test_live_media(self):
        self.assertEqual(self.flags_sent(FEDORA_LIVE), (2, True, False))

    def test_installed_system(self):
        self.assertEqual(self.flags_sent(INSTALLED), (0, False, False))


if __name__ == '__main__':
    unittest.main()
