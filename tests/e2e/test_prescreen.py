#!/usr/bin/env python3
"""The pre-screen in the real daemon: records of workloads no rule reads (SharePoint, OneDrive,
Teams) pass without decoding, marked .mbx.kind=other, counted in `prescreened` (and in `records`);
mail records among them are decoded and judged as before; a cut SharePoint record is still
unparsed; prescreen(no) and fields("all") decode everything, and the verdicts are the same."""

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
import records as r  # noqa: E402

CONFIG = h.HEADER + h.OPTIONS + h.network_source() + h.network_source("s_off", "@PORT2@") + \
    h.network_source("s_all", "@PORT3@") + """
parser p_on { mailbox-monitor(policy("@TWO_RULES@") approved-apps("%s")); };
parser p_off { mailbox-monitor(policy("@TWO_RULES@") approved-apps("%s") prescreen(no)); };
parser p_all { mailbox-monitor(policy("@TWO_RULES@") approved-apps("%s") fields("all")); };
""" % (r.APPROVED_APP, r.APPROVED_APP, r.APPROVED_APP) + h.file_destination("d_on", "on.log", h.ROW_TEMPLATE) + \
    h.file_destination("d_off", "off.log", h.ROW_TEMPLATE) + h.file_destination("d_all", "all.log", h.ROW_TEMPLATE) + """
log { source(s_net); parser(p_on); destination(d_on); };
log { source(s_off); parser(p_off); destination(d_off); };
log { source(s_all); parser(p_all); destination(d_all); };
"""

WORKLOADS = ("SharePoint", "OneDrive", "MicrosoftTeams")


def mixed():
    """(line, expected rules or None for a skipped record), shuffled; and the cut record."""
    lines = []
    for i in range(60):
        w = WORKLOADS[i % 3]
        lines.append((r.dumps(r.file_accessed(r.rid("other", i), "user%02d@contoso.com" % i, w)), None))
    for i in range(30):
        box = "pre%02d@contoso.com" % i
        if i % 3 == 0:
            lines.append((r.dumps(r.app_only_read(r.rid("mail", i), box, r.ROGUE_APP)), "app-unapproved"))
        elif i % 3 == 1:
            lines.append((r.dumps(r.owner_outlook_read(r.rid("mail", i), box, throttled=True)), "throttled"))
        else:
            lines.append((r.dumps(r.owner_outlook_read(r.rid("mail", i), box)), ""))
    random.Random(7).shuffle(lines)
    cut = r.dumps(r.file_accessed(r.rid("cut"), "cut@contoso.com"))[:-20]
    return lines, cut


class PrescreenTest(h.DaemonTestCase):

    def test_skipped_records_pass_marked_and_counted(self):
        lines, cut = mixed()
        d = self.daemon(CONFIG, n_ports=3)
        payload = [line.encode() for line, _ in lines] + [cut.encode()]
        for port in d.ports:
            d.send(payload, port=port)
        out = d.wait_files({"on.log": len(payload), "off.log": len(payload), "all.log": len(payload)}, timeout=60)
        n_other = sum(1 for _, rules in lines if rules is None)

        verdicts = {}
        for name in ("on.log", "off.log", "all.log"):
            rows = h.rows(out[name])
            self.assertEqual(len(rows), len(payload), name)
            by_id = {}
            for row in rows:
                if row.record_id is None:
                    # the cut record: unparsed in every variant, never skipped
                    self.assertEqual(row.mbx_tags, {"mailbox.unparsed"}, row)
                    self.assertEqual(row.raw_message, cut.encode(), row)
                    continue
                by_id[row.record_id] = row
            self.assertEqual(len(by_id), len(lines), name)
            verdicts[name] = {k: (v.rules, v.kind, sorted(v.mbx_tags)) for k, v in by_id.items()}
            for line, rules in lines:
                rec_id = h.message_id(line.encode())
                row = by_id[rec_id]
                self.assertEqual(row.raw_message, line.encode(), "%s: the message is passed on unchanged" % name)
                if rules is None:
                    self.assertEqual(row.kind, "other", row)
                    self.assertEqual(row.rules, "", row)
                    self.assertEqual(row.mbx_tags, set(), row)
                    if name == "on.log":
                        self.assertEqual(row.score, "", "a skipped record gets no score: %r" % row)
                    else:
                        self.assertEqual(row.score, "0", row)
                else:
                    self.assertEqual(row.rules, rules, row)
                    self.assertEqual(row.kind, "mail-access", row)
        # the same verdicts whether or not the pre-screen ran
        self.assertEqual(verdicts["on.log"], verdicts["off.log"])
        self.assertEqual(verdicts["on.log"], verdicts["all.log"])

        self.assertEqual(d.parser_counter("p_on", "prescreened"), n_other)
        self.assertEqual(d.parser_counter("p_on", "records"), len(lines))
        self.assertEqual(d.parser_counter("p_on", "unparsed"), 1)
        self.assertEqual(d.parser_counter("p_on", "kind_other"), n_other)
        for parser in ("p_off", "p_all"):
            self.assertEqual(d.parser_counter(parser, "prescreened"), 0, parser)
            self.assertEqual(d.parser_counter(parser, "records"), len(lines), parser)
            self.assertEqual(d.parser_counter(parser, "kind_other"), n_other, parser)
        self.assertTrue(d.alive())
        d.stop()

    def test_content_blob_of_sharepoint_records_is_split_and_skipped(self):
        recs = [r.file_accessed(r.rid("blob", i), "blob%d@contoso.com" % i, "OneDrive") for i in range(25)]
        recs.insert(10, r.app_only_read(r.rid("blobmail"), "ceo@contoso.com", r.ROGUE_APP))
        d = self.daemon(CONFIG, n_ports=3)
        d.send([r.dumps(recs).encode()])
        out = d.wait_files({"on.log": len(recs)}, timeout=60)
        rows = h.rows(out["on.log"])
        self.assertEqual(sorted(x.record_id for x in rows), sorted(x["Id"] for x in recs))
        flagged = [x for x in rows if x.rules]
        self.assertEqual([(x.record_id, x.rules) for x in flagged], [(r.rid("blobmail"), "app-unapproved")])
        self.assertEqual(d.parser_counter("p_on", "prescreened"), 25)
        self.assertEqual(d.parser_counter("p_on", "batch_records"), 26)
        d.stop()


if __name__ == "__main__":
    h.main()
