#!/usr/bin/env python3
"""Batch splitting: a Management API content blob (a JSON array) and an Event Hub batch
({"records":[...]}), each sent as one line, reach the destination as one message per element;
a malformed element is one mailbox.unparsed message; a cut blob is exactly one unparsed message."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
import records as r  # noqa: E402

CONFIG = h.HEADER + h.OPTIONS + h.network_source() + h.network_source("s_nosplit", "@PORT2@") + """
parser p_mbx { mailbox-monitor(prefix(".mbx.") policy("@TWO_RULES@") approved-apps("%s")); };
parser p_nosplit { mailbox-monitor(prefix(".mbx.") policy("@TWO_RULES@") approved-apps("%s") split-batches(no)); };
""" % (r.APPROVED_APP, r.APPROVED_APP) + h.file_destination("d_all", "all.log", h.ROW_TEMPLATE) + \
    h.file_destination("d_nosplit", "nosplit.log", h.ROW_TEMPLATE) + """
log { source(s_net); parser(p_mbx); destination(d_all); };
log { source(s_nosplit); parser(p_nosplit); destination(d_nosplit); };
"""


def mixed_records(tag, n):
    """n records, every third one suspicious: [(record, rules)]"""
    out = []
    for i in range(n):
        mailbox = "user%02d@contoso.com" % i
        if i % 3 == 0:
            out.append((r.app_only_read(r.rid(tag, i), mailbox, r.ROGUE_APP), "app-unapproved"))
        elif i % 3 == 1:
            out.append((r.owner_outlook_read(r.rid(tag, i), mailbox), ""))
        else:
            out.append((r.app_only_read(r.rid(tag, i), mailbox, r.APPROVED_APP), ""))
    return out


# malformed elements: each must come out as its own unparsed message, in its minified JSON text
MALFORMED = [42, "not a record", {"foo": "bar"}]


class BatchTest(h.DaemonTestCase):

    def check_good(self, row, rec, rules):
        self.assertEqual(row.record_id, rec["Id"], row)
        # the message is the element itself, intact
        self.assertEqual(json.loads(row.raw_message), rec, row)
        self.assertEqual(row.rules, rules, row)
        self.assertEqual(row.mbx_tags, {"mailbox.suspicious", "mailbox.rule." + rules} if rules else set(), row)
        self.assertEqual(row.kind, "mail-access", row)
        self.assertEqual(row.mailbox, rec["MailboxOwnerUPN"], row)
        self.assertIn(".source.s_net", row.tags.split(","), row)

    def test_blob_eventhub_cut(self):
        blob_recs = mixed_records("blob", 12)
        hub_recs = mixed_records("hub", 8)
        blob = [rec for rec, _ in blob_recs]
        blob[3:3] = MALFORMED[:2]          # a number and a string between records
        blob.append(MALFORMED[2])          # an object that is no audit record at the end
        hub = {"records": [rec for rec, _ in hub_recs[:4]] + ["oops"] + [rec for rec, _ in hub_recs[4:]]}
        cut_recs = mixed_records("cut", 5)
        cut_text = r.dumps([rec for rec, _ in cut_recs])
        cut_text = cut_text[:len(cut_text) * 2 // 3]   # cut in the middle of the third record or so

        d = self.daemon(CONFIG, n_ports=2)
        d.send([r.dumps(blob), r.dumps(hub), cut_text])
        n_good = len(blob_recs) + len(hub_recs)
        n_bad = len(MALFORMED) + 1 + 1            # malformed elements, "oops", the cut blob
        out = d.wait_files({"all.log": n_good + n_bad})
        rows = h.rows(out["all.log"])
        self.assertEqual(len(rows), n_good + n_bad)

        good = [x for x in rows if x.record_id]
        bad = [x for x in rows if not x.record_id]
        expected = {rec["Id"]: (rec, rules) for rec, rules in blob_recs + hub_recs}
        self.assertEqual(sorted(x.record_id for x in good), sorted(expected))
        for row in good:
            self.check_good(row, *expected[row.record_id])

        # every malformed element and the cut blob: one unparsed message each, with an error
        for row in bad:
            self.assertEqual(row.mbx_tags, {"mailbox.unparsed"}, row)
            self.assertTrue(row.error, row)
            self.assertEqual(row.kind, "", row)
        got_bad = sorted(x.raw_message for x in bad)
        want_bad = sorted([json.dumps(m, separators=(",", ":")).encode() for m in MALFORMED] + [b'"oops"'] +
                          [cut_text.encode()])
        self.assertEqual(got_bad, want_bad)
        # no record of the cut blob was half-processed
        for rec, _ in cut_recs:
            self.assertNotIn(rec["Id"], [x.record_id for x in good])

        blob_elements = len(blob)
        hub_elements = len(hub["records"])
        self.assertEqual(d.parser_counter("p_mbx", "batches"), 2)
        self.assertEqual(d.parser_counter("p_mbx", "batch_records"), blob_elements + hub_elements)
        self.assertEqual(d.parser_counter("p_mbx", "records"), n_good)
        self.assertEqual(d.parser_counter("p_mbx", "unparsed"), n_bad)
        self.assertEqual(d.parser_counter("p_mbx", "suspicious"),
                         sum(1 for _, rules in blob_recs + hub_recs if rules))
        d.stop()

    def test_split_batches_no(self):
        """split-batches(no): a blob stays one message, and is no record."""
        blob_recs = mixed_records("nosplit", 6)
        blob_text = r.dumps([rec for rec, _ in blob_recs])
        d = self.daemon(CONFIG, n_ports=2)
        d.send([blob_text, r.dumps(r.owner_outlook_read(r.rid("nosplit-single"), "a@contoso.com"))],
               port=d.ports[1])
        out = d.wait_files({"nosplit.log": 2})
        rows = h.rows(out["nosplit.log"])
        self.assertEqual(len(rows), 2)
        blob_row = [x for x in rows if x.raw_message == blob_text.encode()]
        self.assertEqual(len(blob_row), 1, rows)
        self.assertEqual(blob_row[0].mbx_tags, {"mailbox.unparsed"})
        single = [x for x in rows if x.record_id == r.rid("nosplit-single")]
        self.assertEqual(len(single), 1, rows)
        self.assertEqual(single[0].kind, "mail-access")
        self.assertEqual(d.parser_counter("p_nosplit", "batches"), 0)
        self.assertEqual(d.parser_counter("p_nosplit", "batch_records"), 0)
        self.assertEqual(d.parser_counter("p_nosplit", "unparsed"), 1)
        self.assertEqual(d.parser_counter("p_nosplit", "records"), 1)
        d.stop()

    def test_empty_batches(self):
        """A blob or a batch with no element stays one message (unparsed: it holds no record)."""
        d = self.daemon(CONFIG, n_ports=2)
        d.send(["[]", '{"records":[]}'])
        out = d.wait_files({"all.log": 2})
        rows = h.rows(out["all.log"])
        self.assertEqual(sorted(x.raw_message for x in rows), sorted([b"[]", b'{"records":[]}']))
        for row in rows:
            self.assertEqual(row.mbx_tags, {"mailbox.unparsed"}, row)
        self.assertEqual(d.parser_counter("p_mbx", "batch_records"), 0)
        self.assertEqual(d.parser_counter("p_mbx", "records"), 0)
        d.stop()


# two mailbox-monitor() parsers one after the other in one log path (say a shared front parser and
# one of a branch): an element of a blob that is itself a blob reaches the second parser while the
# first one is still walking its blob, on the same thread
CHAINED = h.HEADER + h.OPTIONS + h.network_source() + """
parser p1 { mailbox-monitor(prefix(".a.") policy("@TWO_RULES@")); };
parser p2 { mailbox-monitor(prefix(".b.") policy("@TWO_RULES@")); };
""" + h.file_destination("d_all", "all.log", h.tsv_template("${.a.kind}", "${.b.kind}", "${.a.error}", "${.b.error}",
                                                             "${TAGS}", "${MESSAGE}")) + """
log { source(s_net); parser(p1); parser(p2); destination(d_all); };
"""


class ChainedParsersTest(h.DaemonTestCase):

    def run_chained(self, line, n_out):
        d = self.daemon(CHAINED)
        d.send([line])
        out = d.wait_files({"all.log": n_out}, timeout=10, settle=1.0)
        self.assertTrue(d.alive())
        return d, [h.split_tsv(l) for l in out["all.log"]]

    def test_nested_array(self):
        """[[{"a":1}],{"b":2}]: p1 splits it in two, p2 splits the first element again: two messages.
        (Observed: the daemon dies of SIGSEGV; p2 splits with the per-thread batch decoder whose
        document p1 is still iterating.)"""
        d, rows = self.run_chained('[[{"a":1}],{"b":2}]', 2)
        self.assertEqual(sorted(x[5] for x in rows), ['{"a":1}', '{"b":2}'])
        for x in rows:
            self.assertEqual(h.mbx_tags(x[4]), {"mailbox.unparsed"}, x)
            self.assertTrue(x[3], x)   # p2's error
        self.assertEqual(d.parser_counter("p1", "batch_records"), 2)
        self.assertEqual(d.parser_counter("p2", "batch_records"), 1)
        self.assertEqual(d.parser_counter("p2", "unparsed"), 2)
        d.stop()

    def test_batch_in_blob(self):
        """[{"records":[rec1,rec2]},rec3]: the Event Hub batch element is unparsed for p1 and split by
        p2: rec1, rec2 and rec3 come out once each.  (Observed: p1 goes on iterating p2's document,
        and emits dozens of messages made of fragments of the records: "Id", the time, ...)"""
        recs = [r.owner_outlook_read(r.rid("nested", i), "nested%d@contoso.com" % i) for i in range(3)]
        line = r.dumps([{"records": recs[:2]}, recs[2]])
        d, rows = self.run_chained(line, 3)
        self.assertEqual(len(rows), 3, [x[5][:80] for x in rows[:10]])
        self.assertEqual(sorted(h.message_id(x[5]) for x in rows), sorted(x["Id"] for x in recs))
        for x in rows:
            self.assertEqual(x[1], "mail-access", x)   # decoded by p2
        self.assertEqual(d.parser_counter("p2", "records"), 3)
        self.assertEqual(d.parser_counter("p1", "records"), 1)
        d.stop()


if __name__ == "__main__":
    h.main()
