#!/usr/bin/env python3
"""Unit tests for svrun.py's check semantics (SURICATA-VERIFY.md section 3)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svrun  # noqa: E402

REC = {"event_type": "dns", "pcap_cnt": 2, "proto": "UDP", "flag": True, "nothing": None,
       "dns": {"answers": [{"rrname": "a.example", "ttl": 30}, {"rrname": "b.example"}],
               "grouped": {"A": ["192.0.2.1"]}, "flags": "81a0"}}


class FilterSemantics(unittest.TestCase):
    def m(self, k, v):
        return svrun.match_one(REC, k, v)

    def test_paths_and_indexes(self):
        self.assertTrue(self.m("dns.answers[1].rrname", "b.example"))
        self.assertTrue(self.m("dns.grouped.A[0]", "192.0.2.1"))
        self.assertFalse(self.m("dns.answers[2].rrname", "b.example"))
        self.assertFalse(self.m("dns.nope", "x"))

    def test_typed_equality(self):
        self.assertTrue(self.m("pcap_cnt", 2))
        self.assertTrue(self.m("pcap_cnt", 2.0))
        self.assertFalse(self.m("pcap_cnt", "2"))
        self.assertFalse(self.m("dns.flags", 0x81a0))
        self.assertTrue(self.m("flag", True))

    def test_whole_objects_exact(self):
        self.assertTrue(self.m("dns.answers[0]", {"rrname": "a.example", "ttl": 30}))
        self.assertFalse(self.m("dns.answers[0]", {"rrname": "a.example"}))
        self.assertTrue(self.m("dns.grouped.A", ["192.0.2.1"]))

    def test_operators(self):
        self.assertTrue(self.m("dns.answers.__len", 2))
        self.assertTrue(self.m("pcap_cnt.__len", -1))
        self.assertTrue(self.m("dns.grouped.A.__contains", "192.0.2.1"))
        self.assertTrue(self.m("proto.__startswith", "U"))
        self.assertTrue(self.m("proto.__endswith", "DP"))
        self.assertTrue(self.m("dns.flags.__find", "1a"))
        self.assertTrue(self.m("pcap_cnt.__gt", 1))
        self.assertFalse(self.m("flag.__gt", 0))  # booleans are not numbers here

    def test_has_key(self):
        self.assertTrue(self.m("has-key", "dns.flags"))
        self.assertTrue(self.m("has-key", ["dns.flags", "proto"]))
        self.assertFalse(self.m("has-key", "nothing"))  # null counts as absent
        self.assertTrue(self.m("not-has-key", "nothing"))
        self.assertFalse(self.m("not-has-key", "proto"))

    def test_versions(self):
        ok, _ = svrun.requires_met({"min-version": "8"}, ".", set())
        self.assertTrue(ok)
        ok, _ = svrun.requires_met({"min-version": "9.0"}, ".", set())
        self.assertFalse(ok)
        ok, _ = svrun.requires_met({"lt-version": "8"}, ".", set())
        self.assertFalse(ok)
        ok, _ = svrun.requires_met({"version": "8.0"}, ".", set())
        self.assertTrue(ok)
        ok, _ = svrun.requires_met({"features": ["HAVE_LUA"]}, ".", set())
        self.assertFalse(ok)


if __name__ == "__main__":
    r = unittest.main(exit=False, verbosity=1).result
    failed = len(r.failures) + len(r.errors)
    print(f"{r.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
