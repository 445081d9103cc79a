#!/usr/bin/env python3
"""Records behind a syslog header: RFC 5424 lines ("<14>1 2026-11-02T08:00:00Z host o365 - - - {json}"),
with and without structured data, RFC 3164 lines, and blobs behind a header, read by a
flags(no-parse) source (the whole line is the message) are decoded.  The same lines through a
flags(syslog-protocol) source (the header parsed off by syslog-ng) too, and records split out of a
blob keep the header's HOST and PROGRAM."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
import records as r  # noqa: E402

TEMPLATE = h.tsv_template("${.mbx.id}", "${TAGS}", "${.mbx.rules}", "${.mbx.kind}", "${.mbx.mailbox}", "${HOST}",
                          "${PROGRAM}", "${.mbx.error}")

CONFIG = h.HEADER + h.OPTIONS + h.network_source() + """
source s_proto { network(ip("127.0.0.1") port(@PORT2@) transport("tcp") flags(syslog-protocol) keep-hostname(yes) log-msg-size(%d)); };
parser p_mbx { mailbox-monitor(prefix(".mbx.") policy("@TWO_RULES@") approved-apps("%s") fields("all")); };
""" % (h.MAX_MSG, r.APPROVED_APP) + h.file_destination("d_raw", "raw.log", TEMPLATE) + \
    h.file_destination("d_proto", "proto.log", TEMPLATE) + """
log { source(s_net); parser(p_mbx); destination(d_raw); };
log { source(s_proto); parser(p_mbx); destination(d_proto); };
"""

H5424 = "<14>1 2026-11-02T08:00:00Z host o365 - - - "
H5424_SD = '<14>1 2026-11-02T08:00:00.123+01:00 collector.contoso.com o365 4242 AUDIT [meta@32473 tenant="contoso" ' \
           'feed="Audit.Exchange"] '
H3164 = "<14>Nov  2 08:00:00 host o365[99]: "


def cases():
    """[(line, [(record id, rules)])] ; blob lines carry several records."""
    out = []
    owner = r.owner_outlook_read(r.rid("hdr", 1), "alice@contoso.com")
    rogue = r.app_only_read(r.rid("hdr", 2), "ceo@contoso.com", r.ROGUE_APP)
    throttled = r.owner_outlook_read(r.rid("hdr", 3), "bob@contoso.com", throttled=True)
    signin = r.user_logged_in(r.rid("hdr", 4), "alice@contoso.com")
    out.append((H5424 + r.dumps(owner), [(owner["Id"], "")]))
    out.append((H5424 + r.dumps(rogue), [(rogue["Id"], "app-unapproved")]))
    out.append((H5424_SD + r.dumps(throttled), [(throttled["Id"], "throttled")]))
    out.append((H5424 + "\ufeff" + r.dumps(signin), [(signin["Id"], "")]))   # RFC 5424 BOM before the message
    blob = [r.app_only_read(r.rid("hdr-blob", i), "box%d@contoso.com" % i, r.ROGUE_APP if i % 2 else r.APPROVED_APP)
            for i in range(4)]
    out.append((H5424 + r.dumps(blob), [(x["Id"], "app-unapproved" if i % 2 else "") for i, x in enumerate(blob)]))
    hub = [r.owner_outlook_read(r.rid("hdr-hub", i), "hub%d@contoso.com" % i, throttled=(i == 0)) for i in range(3)]
    out.append((H5424_SD + r.dumps({"records": hub}),
                [(x["Id"], "throttled" if i == 0 else "") for i, x in enumerate(hub)]))
    return out


def cases_3164():
    rec = r.app_only_read(r.rid("hdr3164", 1), "cfo@contoso.com", r.ROGUE_APP2)
    ok = r.owner_outlook_read(r.rid("hdr3164", 2), "cfo@contoso.com")
    return [(H3164 + r.dumps(rec), [(rec["Id"], "app-unapproved")]), (H3164 + r.dumps(ok), [(ok["Id"], "")])]


class SyslogHeaderTest(h.DaemonTestCase):

    def check(self, lines, expected, hosts=None):
        by_id = {}
        for line in lines:
            f = h.split_tsv(line)
            self.assertNotIn(f[0], by_id, "duplicate %s" % f[0])
            by_id[f[0]] = f
        self.assertEqual(sorted(by_id), sorted(i for i, _ in expected))
        for rid, rules in expected:
            f = by_id[rid]
            self.assertEqual(f[2], rules, f)
            self.assertEqual(h.mbx_tags(f[1]), {"mailbox.suspicious", "mailbox.rule." + rules} if rules else set(), f)
            self.assertIn(f[3], ("mail-access", "signin"), f)
            self.assertEqual(f[7], "", f)
            if hosts:
                self.assertEqual(f[5], hosts[rid], f)
                self.assertEqual(f[6], "o365", f)

    def test_no_parse_source(self):
        c = cases() + cases_3164()
        expected = [e for _, exp in c for e in exp]
        d = self.daemon(CONFIG, n_ports=2)
        d.send([line for line, _ in c])
        out = d.wait_files({"raw.log": len(expected)})
        self.check(out["raw.log"], expected)
        self.assertEqual(d.parser_counter("p_mbx", "records"), len(expected))
        self.assertEqual(d.parser_counter("p_mbx", "unparsed"), 0)
        self.assertEqual(d.parser_counter("p_mbx", "batches"), 2)
        d.stop()

    def test_syslog_protocol_source(self):
        c = cases()
        expected = [e for _, exp in c for e in exp]
        d = self.daemon(CONFIG, n_ports=2)
        d.send([line for line, _ in c], port=d.ports[1])
        out = d.wait_files({"proto.log": len(expected)})
        # the header is parsed off; records split out of a blob keep its HOST and PROGRAM
        hosts = {rid: line.split(" ")[2] for line, exp in c for rid, _ in exp}
        self.check(out["proto.log"], expected, hosts)
        self.assertEqual(d.parser_counter("p_mbx", "records"), len(expected))
        self.assertEqual(d.parser_counter("p_mbx", "unparsed"), 0)
        d.stop()


if __name__ == "__main__":
    h.main()
