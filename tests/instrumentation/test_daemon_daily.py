# SPDX-License-Identifier: GPL-2.0-or-later
"""The daily collectors in the running daemon: their payloads from the fixture trees,
hostname1 and locale1 before the files, the administrator's switches, and "at most once
per 24 h" across restarts, reboots and the CLOCK_BOOTTIME wake-up.

Against the stand-in recorder (every RecordSingularEvent logged with its payload) and
plain dbusmock objects for hostname1 and locale1.
"""

import os
import time
import unittest
import uuid

from instrumentation_env import (DAILY, HARDWARE_INFO, HARDWARE_MODEL, PRIMARY_STORAGE,
                                 SYSTEM_LOCALE, GLib, InstrumentationTestCase, boottime_ns,
                                 lscpu_fields, root_fs_gib)

DAY_NS = 24 * 3600 * 10**9


class DailyTestCase(InstrumentationTestCase):
    def setUp(self):
        super().setUp()
        self.mocks.start_recorder()

    def daily_events(self):
        return [(event, payload) for event, _uid, payload in self.mocks.singulars()
                if event in DAILY]

    def wait_daily(self, n=4):
        return self.wait_until(lambda: len(self.daily_events()) >= n and self.daily_events(),
                               what=f'{n} daily events')

    def payload(self, event_id):
        payloads = self.mocks.singulars_of(event_id)
        self.assertEqual(len(payloads), 1, f'{event_id}: {payloads}')
        return payloads[0]


class PayloadTest(DailyTestCase):
    """Lenovo laptop, NVMe SSD with btrfs on LUKS, de_DE, 16 GB, the x86 lscpu fixture."""

    def test_one_event_per_daily_collector_with_the_fixtures_values(self):
        self.daemon.start()
        self.wait_daily()
        self.settle()
        self.assertEqual(sorted(e for e, _p in self.daily_events()), sorted(DAILY))
        for _event, uid, _payload in self.mocks.singulars():
            self.assertEqual(uid, os.getuid())

        storage = self.payload(PRIMARY_STORAGE)
        self.assertTrue(storage.equal(GLib.Variant('(ss)', ('ssd', 'nvme'))), str(storage))
        model = self.payload(HARDWARE_MODEL)
        self.assertTrue(model.equal(GLib.Variant('(sss)', ('LENOVO', 'ThinkPad X1 Carbon Gen 9',
                                                           'laptop'))), str(model))
        locale = self.payload(SYSTEM_LOCALE)
        self.assertTrue(locale.equal(GLib.Variant('s', 'de_DE')), str(locale))

        info = self.payload(HARDWARE_INFO)
        self.assertEqual(info.get_type_string(), '(uuuua(sqds))')
        ram, total, used, free, cpus = info.unpack()
        self.assertEqual(ram, 15713)
        expected_total, expected_used, expected_free = root_fs_gib(self.daemon.root)
        self.assertEqual(total, expected_total)
        self.assertLessEqual(abs(used - expected_used), 1)
        self.assertLessEqual(abs(free - expected_free), 1)
        self.assertEqual(cpus, [lscpu_fields('good-x86-laptop.json')])

    def test_the_journal_shows_each_payload(self):
        self.daemon.start()
        self.wait_daily()
        log = self.daemon.wait_log("primary-storage: recorded ('ssd', 'nvme')")
        self.assertIn("system-locale: recorded 'de_DE'", log)

    def test_lscpu_failing_gives_the_empty_cpu_and_the_rest(self):
        with open(self.daemon.lscpu, 'w') as f:
            f.write('#!/bin/sh\nexit 1\n')
        self.daemon.start()
        self.wait_daily()
        ram, _t, _u, _f, cpus = self.payload(HARDWARE_INFO).unpack()
        self.assertEqual(ram, 15713)
        self.assertEqual(cpus, [('', 0, 0.0, '')])
        self.assertIn('exited with status 1', self.daemon.log())


class OtherMachineTest(DailyTestCase):
    FIXTURES_KW = {'storage': 'sata-hdd-ext4-lvm', 'dmi': 'dell-desktop', 'locale': 'missing',
                   'lscpu': 'good-vm-no-max-mhz.json'}

    def test_hdd_dell_and_no_locale(self):
        self.daemon.start()
        self.wait_daily()
        self.assertTrue(self.payload(PRIMARY_STORAGE).equal(GLib.Variant('(ss)', ('hdd', 'sata'))))
        self.assertTrue(self.payload(HARDWARE_MODEL).equal(
            GLib.Variant('(sss)', ('Dell Inc.', 'OptiPlex 7090', 'desktop'))))
        self.assertTrue(self.payload(SYSTEM_LOCALE).equal(GLib.Variant('s', 'unknown')))


class ServicesWinTest(DailyTestCase):
    def test_hostname1_wins_over_dmi(self):
        self.mocks.start_hostname1('Framework', 'Laptop 13 (AMD Ryzen 7040Series)', 'laptop')
        self.daemon.start()
        self.wait_daily()
        model = self.payload(HARDWARE_MODEL)
        self.assertTrue(model.equal(GLib.Variant(
            '(sss)', ('Framework', 'Laptop 13 (AMD Ryzen 7040Series)', 'laptop'))), str(model))

    def test_empty_hostname1_fields_fall_back_to_dmi_per_field(self):
        self.mocks.start_hostname1('', '', 'convertible')
        self.daemon.start()
        self.wait_daily()
        self.assertTrue(self.payload(HARDWARE_MODEL).equal(GLib.Variant(
            '(sss)', ('LENOVO', 'ThinkPad X1 Carbon Gen 9', 'convertible'))))

    def test_locale1_wins_over_locale_conf(self):
        self.mocks.start_locale1(['LC_TIME=de_DE.UTF-8', 'LANG=sr_RS.UTF-8@latin'])
        self.daemon.start()
        self.wait_daily()
        self.assertTrue(self.payload(SYSTEM_LOCALE).equal(GLib.Variant('s', 'sr_RS')))

    def test_locale1_without_lang_falls_back_to_locale_conf(self):
        self.mocks.start_locale1(['LC_TIME=C.UTF-8'])
        self.daemon.start()
        self.wait_daily()
        self.assertTrue(self.payload(SYSTEM_LOCALE).equal(GLib.Variant('s', 'de_DE')))


class SwitchesTest(DailyTestCase):
    def test_switched_off_collectors_send_nothing(self):
        self.daemon.write_config('[Collectors]\nhardware-model=false\nsystem-locale=false\n')
        self.daemon.start()
        self.wait_daily(2)
        self.settle()
        self.assertEqual(sorted(e for e, _p in self.daily_events()),
                         sorted([HARDWARE_INFO, PRIMARY_STORAGE]))

    def test_a_value_that_is_not_a_boolean_switches_only_that_collector_off(self):
        self.daemon.write_config('[Collectors]\nhardware-info=flase\n')
        self.daemon.start()
        self.wait_daily(3)
        self.settle()
        self.assertNotIn(HARDWARE_INFO, [e for e, _p in self.daily_events()])
        self.assertIn("hardware-info='flase' is not a boolean", self.daemon.log())

    def test_an_unreadable_config_switches_everything_off(self):
        self.daemon.write_config('this is [not a key file\n')
        self.mocks.start_logind(users=[(1000, 'alice')])
        self.daemon.start()
        self.daemon.wait_log('every daily collector is switched off')
        self.settle(1.0)
        self.assertEqual(self.mocks.singulars(), [])
        self.assertEqual(self.mocks.timers(), [])


class ScheduleTest(DailyTestCase):
    def test_a_restart_within_24h_sends_nothing_again(self):
        self.daemon.start()
        self.wait_daily()
        self.assertEqual(self.daemon.stop(), 0)
        schedule = self.daemon.schedule()
        for key in ('hardware-info', 'primary-storage', 'hardware-model', 'system-locale'):
            self.assertEqual(schedule[f'daily {key}']['BootId'], self.daemon.boot_id)

        self.daemon.start()
        self.daemon.wait_log('next daily check in 23 h')
        self.settle(1.0)
        self.assertEqual(len(self.daily_events()), 4)

    def test_a_reboot_within_24h_sends_nothing_and_reanchors(self):
        self.daemon.start()
        self.wait_daily()
        self.assertEqual(self.daemon.stop(), 0)
        self.daemon.set_boot_id(str(uuid.uuid4()))
        self.daemon.start()
        self.daemon.wait_log('next daily check in 23 h')
        self.settle(1.0)
        self.assertEqual(len(self.daily_events()), 4)
        # The deadline now lives on this boot's CLOCK_BOOTTIME.
        self.assertEqual(self.daemon.schedule()['daily hardware-info']['BootId'],
                         self.daemon.boot_id)

    def test_a_reboot_after_24h_sends_again(self):
        past = time.time_ns() - 2 * DAY_NS
        self.write_schedule_for_all(str(uuid.uuid4()), due_boottime=1, due_wall=past)
        self.daemon.start()
        self.wait_daily()
        self.assertEqual(len(self.daily_events()), 4)

    def test_the_boottime_timer_wakes_the_daemon_when_a_deadline_passes(self):
        # Sent ~24 h ago in this boot: due in 6 s on CLOCK_BOOTTIME (not yet due when the
        # daemon starts, even on a loaded machine).
        self.write_schedule_for_all(self.daemon.boot_id, due_boottime=boottime_ns() + 6 * 10**9,
                                    due_wall=time.time_ns() + 6 * 10**9)
        self.daemon.start()
        self.daemon.wait_log('next daily check in 0 h 0 min')
        self.assertEqual(self.daily_events(), [])
        self.wait_daily()
        self.settle()
        self.assertEqual(len(self.daily_events()), 4)
        # Sent now: the next is a full day away.
        self.daemon.wait_log('next daily check in 24 h 0 min')

    def test_a_damaged_schedule_makes_everything_due_with_a_warning(self):
        self.daemon.write_schedule('[daily hardware-info]\nBootId=x\nDueBoottimeNs=banana\n')
        self.daemon.start()
        self.wait_daily()
        self.assertIn('hardware-info is due now', self.daemon.log())

    def test_an_unwritable_state_directory_records_nothing(self):
        # A file where the directory should be: the schedule cannot be saved.
        with open(self.daemon.state_dir, 'w') as f:
            f.write('not a directory')
        self.mocks.start_logind(users=[(1000, 'alice')])
        self.daemon.start()
        self.daemon.wait_log('not recorded, so that a restart cannot send them twice')
        self.wait_until(lambda: self.mocks.timers(), what='the session timer')
        self.settle()
        self.assertEqual(self.daily_events(), [])

    def write_schedule_for_all(self, boot_id, due_boottime, due_wall):
        text = ''
        for key in ('hardware-info', 'primary-storage', 'hardware-model', 'system-locale'):
            text += (f'[daily {key}]\nBootId={boot_id}\nDueBoottimeNs={due_boottime}\n'
                     f'DueWallNs={due_wall}\n')
        self.daemon.write_schedule(text)


if __name__ == '__main__':
    unittest.main()
