#!/usr/bin/env python3
"""A large content blob (13 MB, 10,000 records) through a flow-controlled log path with a small
window, fanned out to a branch that takes everything and a branch whose filter drops the
suspicious records, then a second blob: nothing lost, nothing duplicated, the filtered branch an
exact subset, the daemon alive, and its peak memory bounded.

10,000 records, not just 5,000: one blob's records must stay past 8,191, the bound of the
per-thread ack counter cache that the split must not add acks to (mailbox-monitor-split.c).

Why the memory bound is 400 MB: the daemon idles at about 10 MB.  Decoding the 13 MB blob needs
the message (13 MB), the decoder's padded copy (kept at twice its size: 26 MB), simdjson's DOM
(tape and string buffer, a few times the input: about 50-80 MB) and 10,000 small per-record
messages (a few KB each with their values: 20-40 MB), all alive at once in the worst case: well
under 200 MB (about 100 MB is measured).  400 MB leaves a wide margin for allocator slack, yet a
split that copied the blob into each record (10,000 x 13 MB) or kept every record's DOM would
exceed it by far."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
import records as r  # noqa: E402

N_FIRST = 10000
N_SECOND = 2000
RSS_BOUND_KB = 400 * 1024

TEMPLATE = h.tsv_template("${.mbx.mailbox}", "${TAGS}", "${.mbx.rules}")

CONFIG = h.HEADER + h.OPTIONS + \
    h.network_source(extra="log-iw-size(1000) max-connections(10)") + """
parser p_mbx { mailbox-monitor(prefix(".mbx.") policy("@TWO_RULES@") approved-apps("%s")); };
""" % r.APPROVED_APP + h.file_destination("d_all", "all.log", TEMPLATE) + \
    h.file_destination("d_benign", "benign.log", TEMPLATE) + """
log {
  source(s_net);
  parser(p_mbx);
  log { destination(d_all); };
  log { filter { not tags("mailbox.suspicious"); }; destination(d_benign); };
  flags(flow-control);
};
"""


def blob(tag, n):
    """n records with unique mailboxes (the key in the output); every 7th one suspicious."""
    recs = []
    suspicious = set()
    for i in range(n):
        mailbox = "%s-%05d@contoso.com" % (tag, i)
        items = i % 5 + 1
        if i % 7 == 0:
            recs.append(r.app_only_read(r.rid(tag, i), mailbox, r.ROGUE_APP, n_items=items))
            suspicious.add(mailbox)
        elif i % 7 == 1:
            recs.append(r.app_only_read(r.rid(tag, i), mailbox, r.APPROVED_APP, n_items=items))
        else:
            recs.append(r.owner_outlook_read(r.rid(tag, i), mailbox, n_items=items))
    return r.dumps(recs), [x["MailboxOwnerUPN"] for x in recs], suspicious


class LargeBlobTest(h.DaemonTestCase):

    def test_large_blob_flow_control(self):
        text1, boxes1, susp1 = blob("big", N_FIRST)
        text2, boxes2, susp2 = blob("second", N_SECOND)
        self.assertGreaterEqual(len(text1), 5 * 1024 * 1024)
        self.assertGreater(N_FIRST, 8191)

        d = self.daemon(CONFIG)
        d.send([text1])
        d.send([text2])
        # and a single record after both: the path still works message by message
        single = r.owner_outlook_read(r.rid("after"), "after@contoso.com")
        d.send([r.dumps(single)])

        all_boxes = boxes1 + boxes2 + ["after@contoso.com"]
        susp = susp1 | susp2
        benign_boxes = [b for b in all_boxes if b not in susp]
        out = d.wait_files({"all.log": len(all_boxes), "benign.log": len(benign_boxes)}, timeout=90, settle=1.0)
        self.assertTrue(d.alive())

        got_all = [h.split_tsv(l) for l in out["all.log"]]
        got_benign = [h.split_tsv(l) for l in out["benign.log"]]
        # every record exactly once in the "all" branch
        self.assertEqual(len(got_all), len(all_boxes))
        self.assertEqual(sorted(g[0] for g in got_all), sorted(all_boxes))
        # the filtered branch: exactly the benign ones
        self.assertEqual(len(got_benign), len(benign_boxes))
        self.assertEqual(sorted(g[0] for g in got_benign), sorted(benign_boxes))
        for g in got_all:
            if g[0] in susp:
                self.assertEqual(g[2], "app-unapproved", g)
                self.assertIn("mailbox.suspicious", g[1].split(","), g)
            else:
                self.assertEqual(g[2], "", g)
                self.assertEqual(h.mbx_tags(g[1]), set(), g)

        self.assertEqual(d.parser_counter("p_mbx", "batches"), 2)
        self.assertEqual(d.parser_counter("p_mbx", "batch_records"), N_FIRST + N_SECOND)
        self.assertEqual(d.parser_counter("p_mbx", "records"), len(all_boxes))
        self.assertEqual(d.parser_counter("p_mbx", "suspicious"), len(susp))
        self.assertEqual(d.parser_counter("p_mbx", "unparsed"), 0)

        peak = d.peak_rss_kb()
        print("\npeak RSS (VmHWM) of the daemon: %.1f MB (bound %d MB)" % (peak / 1024.0, RSS_BOUND_KB // 1024),
              file=sys.stderr)
        self.assertLess(peak, RSS_BOUND_KB)
        d.stop()

    def test_many_blobs_one_window(self):
        """400 small blobs on one connection whose window is 100 messages: each blob holds one window
        slot until all its records are acknowledged; a blob whose ack got lost would keep its slot
        forever and the source would stop reading after 100 of them."""
        n_blobs, per_blob = 400, 3
        lines, boxes, susp = [], [], set()
        for b in range(n_blobs):
            text, bx, sp = blob("small%03d" % b, per_blob)
            lines.append(text)
            boxes += bx
            susp |= sp
        d = self.daemon(CONFIG)
        d.send(lines)
        benign_boxes = [b for b in boxes if b not in susp]
        out = d.wait_files({"all.log": len(boxes), "benign.log": len(benign_boxes)}, timeout=60)
        self.assertEqual(sorted(h.split_tsv(l)[0] for l in out["all.log"]), sorted(boxes))
        self.assertEqual(sorted(h.split_tsv(l)[0] for l in out["benign.log"]), sorted(benign_boxes))
        self.assertEqual(d.parser_counter("p_mbx", "batches"), n_blobs)
        self.assertEqual(d.parser_counter("p_mbx", "batch_records"), len(boxes))
        # the source has no message outstanding any more: every window slot came back
        d.send([r.dumps(r.owner_outlook_read(r.rid("last"), "last@contoso.com"))])
        d.wait_files({"all.log": len(boxes) + 1})
        d.stop()


if __name__ == "__main__":
    h.main()
