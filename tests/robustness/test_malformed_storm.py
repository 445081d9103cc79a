#!/usr/bin/env python3
"""A storm of malformed lines mixed with good records, over several connections at once.

GOOD records in four shapes whose verdicts are known under the two-rule
policy (owner read: nothing; unapproved app: app-unapproved; approved app:
nothing; throttled: throttled), shuffled with BAD lines that are no audit
record (cut records, random bytes, invalid UTF-8 inside a record, JSON values
and objects that are not records, nesting past the parser's depth, a line of
a megabyte) and EDGE lines (records with wrong types and absurd values: they
may decode or not, but must pass).  Then:
  - every line comes out exactly once: each bad line as itself, byte for
    byte, tagged mailbox.unparsed with .mbx.error set;
  - malformed ones are counted: the parser's unparsed counter equals the
    lines tagged mailbox.unparsed, records + unparsed equals the lines sent;
  - every good record is still decoded and judged: its rules, tags and kind
    as expected.
Time budget: about 10 s.
"""

import json
import random
import socket
import threading
import unittest

import robust
from robust import h, r

GOOD = 20000
BAD = 100000
EDGE = 2000
CONNECTIONS = 4

CONFIG = h.HEADER + h.OPTIONS + h.network_source(extra="max-connections(%d)" % (CONNECTIONS * 2)) + """
parser p_mbx { mailbox-monitor(policy("@TWO_RULES@") approved-apps("%s")); };
""" % r.APPROVED_APP + h.file_destination("d_out", "out.log", h.ROW_TEMPLATE) + """
log { source(s_net); parser(p_mbx); destination(d_out); flags(flow-control); };
"""

SHAPES = ((robust.OWNER_READ, ""), (robust.ROGUE_READ, "app-unapproved"), (robust.APPROVED_READ, ""),
          (robust.THROTTLED_READ, "throttled"))


def good_records():
    out = []
    for i in range(GOOD):
        tpl, rules = SHAPES[i % 4]
        rid = robust.record_id(3, i)
        out.append((tpl % {"id": rid, "mailbox": "g%05d@contoso.com" % i, "time": robust.event_time(i)}, rid, rules))
    return out


# anything but the line end (and NUL, which ends a C string on its way to the file)
BYTES = bytes(b for b in range(1, 256) if b not in (10, 13))


def random_bytes(rng, n):
    return bytes(rng.choices(BYTES, k=n))


def bad_lines(rng, sample):
    """Lines that are no audit record; each must come out as one unparsed message, unchanged."""
    families = []
    # records cut short anywhere
    families.append(lambda: sample[:rng.randrange(1, len(sample) - 1)].encode())
    # random bytes, printable or not
    families.append(lambda: random_bytes(rng, rng.randrange(1, 400)))
    families.append(lambda: "".join(rng.choice("{}[]\":,0123456789abcdefnulltrue \\") for _ in
                                    range(rng.randrange(1, 300))).encode())
    # a good record with a byte that is not UTF-8 inside a string
    families.append(lambda: sample.encode().replace(b"@contoso.com", b"@cont\xffso.com", 1))
    # JSON that is not a record: scalars, objects of unknown keys, a record's keys without their values
    families.append(lambda: json.dumps(rng.choice([None, True, 42, -1.5e300, "text %d" % rng.randrange(10 ** 6)])).encode())
    families.append(lambda: json.dumps({"k%d" % rng.randrange(100): rng.randrange(10 ** 9) for _ in range(5)}).encode())
    families.append(lambda: b'{"Operation":"MailItemsAccessed","Junk":%d}' % rng.randrange(10 ** 9))
    # an array nested deeper than the parser goes, an empty blob, a batch whose records are not a list
    families.append(lambda: b"[" * 3000 + b"]" * 3000)
    families.append(lambda: b"[ ]" if rng.randrange(2) else b'{"records":"none"}')
    # a syslog header before garbage
    families.append(lambda: b"<14>1 2026-11-02T08:00:00Z host o365 - - - {not json %d" % rng.randrange(10 ** 6))
    lines = [rng.choice(families)() for _ in range(BAD - 1)]
    # one line of a megabyte
    lines.append(b'{"Id":"' + b"x" * (1 << 20) + b'"')
    # syslog-ng skips lines that are only blanks; the storm keeps one character of substance
    return [l if l.strip() else b"x" + l for l in lines]


def edge_lines(rng, sample):
    """Records with wrong types and absurd values; decoded or not, each passes once."""
    rec = json.loads(sample)
    out = []
    for i in range(EDGE):
        e = dict(rec)
        e["Id"] = robust.record_id(4, i)
        key = rng.choice(["RecordType", "CreationTime", "MailboxOwnerUPN", "OperationCount", "ClientIPAddress",
                          "OperationProperties", "Folders", "UserType", "ClientInfoString", "AppId", "Workload"])
        e[key] = rng.choice([None, {}, [], [1, [2, [3]]], -1, 2 ** 70, 1e308, "", "\u0000", "\u202e" * 50,
                             "9" * 400, {"Name": "IsThrottled"}, "2026-13-45T99:99:99"])
        out.append(json.dumps(e).encode())
    return out


class MalformedStormTest(h.DaemonTestCase):

    def test_storm(self):
        rng = random.Random(11)
        good = good_records()
        sample = good[1][0]
        bad = bad_lines(rng, sample)
        edge = edge_lines(rng, sample)
        lines = [g[0].encode() for g in good] + bad + edge
        rng.shuffle(lines)

        d = self.daemon(CONFIG)
        errors = []
        parts = [lines[c::CONNECTIONS] for c in range(CONNECTIONS)]

        def sender(part):
            try:
                h.send_lines(d.port, part, chunk=256 * 1024)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=sender, args=(p,)) for p in parts]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        robust.wait_lines(d, "out.log", len(lines), timeout=60)
        rows = h.rows(h.read_lines(d.path("out.log")))
        self.assertEqual(len(rows), len(lines), "every line comes out exactly once")

        unparsed = [row for row in rows if "mailbox.unparsed" in row.mbx_tags]
        for row in unparsed:
            self.assertTrue(row.error, row)
            self.assertEqual(row.mbx_tags, {"mailbox.unparsed"}, row)
        got_bad = sorted(row.raw_message for row in unparsed)
        edge_set = set(edge)
        self.assertEqual(sorted(m for m in got_bad if m not in edge_set), sorted(bad),
                         "each malformed line passes unchanged, tagged unparsed")

        # decoded rows, by the Id in their message (fields("suspicious") sets .mbx.id on suspicious ones only)
        by_id = {}
        for row in rows:
            if "mailbox.unparsed" not in row.mbx_tags:
                self.assertIsNotNone(row.record_id, row)
                self.assertNotIn(row.record_id, by_id, "record %s twice" % row.record_id)
                by_id[row.record_id] = row
        for text, rid, rules in good:
            row = by_id.get(rid)
            self.assertIsNotNone(row, "good record %s is missing or unparsed" % rid)
            self.assertEqual(row.rules, rules, row)
            want = {"mailbox.rule." + x for x in rules.split(",")} | {"mailbox.suspicious"} if rules else set()
            self.assertEqual(row.mbx_tags, want, row)
            self.assertEqual(row.kind, "mail-access", row)
        edge_decoded = sum(1 for i in range(EDGE) if robust.record_id(4, i) in by_id)

        n_unparsed = d.parser_counter("p_mbx", "unparsed")
        n_records = d.parser_counter("p_mbx", "records")
        robust.log("%d lines: %d good, %d bad, %d edge (%d of them decoded); unparsed counter %d, records %d" %
                   (len(lines), GOOD, BAD, EDGE, edge_decoded, n_unparsed, n_records))
        self.assertEqual(n_unparsed, len(unparsed))
        self.assertGreaterEqual(n_unparsed, BAD)
        self.assertEqual(n_records + n_unparsed, len(lines))
        self.assertEqual(n_records, GOOD + edge_decoded)
        self.assertEqual(d.parser_counter("p_mbx", "suspicious"), sum(1 for g in good if g[2]) +
                         sum(1 for i in range(EDGE) if "mailbox.suspicious" in
                             by_id.get(robust.record_id(4, i), h.Row(b"\t" * 10)).mbx_tags))
        d.stop()


if __name__ == "__main__":
    h.main()
