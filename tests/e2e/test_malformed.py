#!/usr/bin/env python3
"""A storm of malformed lines mixed with good records.

Every line sent comes out exactly once: each malformed one as itself (byte for byte) tagged
mailbox.unparsed with .mbx.error set, and counted (unparsed == number sent); each good one
decoded and judged.  With drop-unparsed(yes) exactly the malformed ones are dropped and counted
in parser;<id>;;a;discarded.  (Empty lines are not sent: syslog-ng itself skips them.)"""

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
import records as r  # noqa: E402

CONFIG = h.HEADER + h.OPTIONS + h.network_source() + h.network_source("s_drop", "@PORT2@") + """
parser p_mbx { mailbox-monitor(prefix(".mbx.") policy("@TWO_RULES@") approved-apps("%s")); };
parser p_drop { mailbox-monitor(prefix(".mbx.") policy("@TWO_RULES@") approved-apps("%s") drop-unparsed(yes)); };
""" % (r.APPROVED_APP, r.APPROVED_APP) + h.file_destination("d_all", "all.log", h.ROW_TEMPLATE) + \
    h.file_destination("d_drop", "drop.log", h.ROW_TEMPLATE) + """
log { source(s_net); parser(p_mbx); destination(d_all); };
log { source(s_drop); parser(p_drop); destination(d_drop); };
"""


def good_records(tag, n):
    out = []
    for i in range(n):
        box = "%s%03d@contoso.com" % (tag, i)
        k = i % 4
        if k == 0:
            out.append((r.owner_outlook_read(r.rid(tag, i), box), ""))
        elif k == 1:
            out.append((r.app_only_read(r.rid(tag, i), box, r.ROGUE_APP), "app-unapproved"))
        elif k == 2:
            out.append((r.app_only_read(r.rid(tag, i), box, r.APPROVED_APP), ""))
        else:
            out.append((r.owner_outlook_read(r.rid(tag, i), box, throttled=True), "throttled"))
    return out


def malformed_lines():
    """Lines that are no audit record, as bytes; each must come out as exactly one message."""
    bad = []
    sample = r.dumps(r.app_only_read(r.rid("sample"), "victim@contoso.com", r.ROGUE_APP))
    # records cut short, at many places
    for i in range(40):
        bad.append(sample[:1 + (i * 97) % (len(sample) - 1)])
    # not JSON at all
    for i in range(20):
        bad.append("plain text line %d, no JSON here" % i)
        bad.append("<14>1 2026-11-02T08:00:00Z host o365 - - - not json either %d" % i)
    bad += ["   ", "\ttab\tseparated\t", "{", "}", "[", "]", "{{{{", "[1,2,3]", "null", "true", "42", "-1.5e10"]
    # empty and unknown objects, and JSON values that are not objects
    bad += ["{}"] * 5 + ["{ }", "[]", '{"records":"not a list"}', '{"records":[' + sample[:300]]
    bad += ['{"foo":%d,"bar":"baz"}' % i for i in range(10)]
    bad += ['{"Operation":"MailItemsAccessed","n":%d}' % i for i in range(5)]   # neither Workload nor RecordType
    bad += ['"just a JSON string %d"' % i for i in range(10)]
    # syntax errors inside otherwise fine records
    bad.append(sample.replace('"Operation":', '"Operation"', 1))
    bad.append(sample.replace(',"OrganizationId"', ',,"OrganizationId"', 1))
    bad.append(sample[:-1] + ",}")
    bad.append(sample + "}")
    bad.append(sample.replace('"Exchange"', '"Exch\x01ange"', 1))   # a raw control character in a string
    # nesting deeper than any parser allows
    bad.append('{"a":' * 3000 + "1" + "}" * 3000)
    bad = [b.encode("utf-8") for b in bad]
    # invalid UTF-8
    sb = sample.encode()
    bad.append(sb.replace(b"victim", b"vic\xc3\x28tim", 1))
    bad.append(sb.replace(b"victim", b"vic\xfftim", 1))
    bad.append(sb.replace(b"victim", b"vic\xed\xa0\x80tim", 1))   # an encoded surrogate
    bad.append(sb.replace(b"victim", b"vic\xf0\x9f\x98tim", 1))   # a cut 4-byte sequence
    bad.append(b"\xff\xfe\xfd not even text")
    bad.append(b"\x80\x81\x82\x83")
    # very long lines
    bad.append(b"x" * (4 * 1024 * 1024))
    big = r.dumps([r.owner_outlook_read(r.rid("long", i), "long%d@contoso.com" % i) for i in range(2500)])
    bad.append(big[:len(big) - 5000].encode())                       # a 3 MB blob, cut
    bad.append(('{"foo":"%s"}' % ("y" * (2 * 1024 * 1024))).encode())  # a 2 MB object that is no record
    return bad


class MalformedTest(h.DaemonTestCase):

    def storm(self):
        good = good_records("good", 80)
        bad = malformed_lines()
        lines = [("good", r.dumps(rec).encode(), (rec, rules)) for rec, rules in good] + \
                [("bad", b, None) for b in bad]
        random.Random(5424).shuffle(lines)
        return good, bad, lines

    def test_every_line_once(self):
        good, bad, lines = self.storm()
        d = self.daemon(CONFIG, n_ports=2)
        d.send([line for _, line, _ in lines])
        out = d.wait_files({"all.log": len(lines)}, timeout=60)
        rows = h.rows(out["all.log"])
        self.assertEqual(len(rows), len(lines))

        unparsed = [x for x in rows if "mailbox.unparsed" in x.mbx_tags]
        decoded = [x for x in rows if "mailbox.unparsed" not in x.mbx_tags]
        # the malformed lines, each exactly once and unchanged
        self.assertEqual(len(unparsed), len(bad))
        self.assertTrue(sorted(x.raw_message for x in unparsed) == sorted(bad),
                        "unparsed messages differ from the malformed lines sent")
        for row in unparsed:
            self.assertEqual(row.mbx_tags, {"mailbox.unparsed"}, row)
            self.assertTrue(row.error, row)
            self.assertEqual(row.kind, "", row)
            self.assertEqual(row.rules, "", row)
        # the good records, each exactly once, judged
        by_id = {rec["Id"]: rules for rec, rules in good}
        self.assertEqual(sorted(x.record_id for x in decoded), sorted(by_id))
        for row in decoded:
            rules = by_id[row.record_id]
            self.assertEqual(row.rules, rules, row)
            self.assertEqual(row.mbx_tags, {"mailbox.suspicious", "mailbox.rule." + rules} if rules else set(), row)
            self.assertEqual(row.error, "", row)

        self.assertEqual(d.parser_counter("p_mbx", "unparsed"), len(bad))
        self.assertEqual(d.parser_counter("p_mbx", "records"), len(good))
        self.assertEqual(d.parser_counter("p_mbx", "discarded"), 0)
        self.assertTrue(d.alive())
        d.stop()

    def test_drop_unparsed(self):
        good, bad, lines = self.storm()
        # and a blob whose malformed elements are dropped one by one, its records kept
        blob_good = good_records("dropblob", 4)
        blob = [blob_good[0][0], 7, blob_good[1][0], "bad element", blob_good[2][0], {"x": 1}, blob_good[3][0]]
        d = self.daemon(CONFIG, n_ports=2)
        d.send([line for _, line, _ in lines] + [r.dumps(blob).encode()], port=d.ports[1])
        all_good = good + blob_good
        out = d.wait_files({"drop.log": len(all_good)}, timeout=60, settle=1.0)
        rows = h.rows(out["drop.log"])
        by_id = {rec["Id"]: rules for rec, rules in all_good}
        self.assertEqual(sorted(x.record_id for x in rows), sorted(by_id))
        for row in rows:
            self.assertEqual(row.rules, by_id[row.record_id], row)
            self.assertNotIn("mailbox.unparsed", row.mbx_tags, row)
        self.assertEqual(d.parser_counter("p_drop", "discarded"), len(bad) + 3)
        self.assertEqual(d.parser_counter("p_drop", "unparsed"), len(bad) + 3)
        self.assertEqual(d.parser_counter("p_drop", "records"), len(all_good))
        self.assertEqual(d.parser_counter("p_drop", "batch_records"), len(blob))
        d.stop()


if __name__ == "__main__":
    h.main()
