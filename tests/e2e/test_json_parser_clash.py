#!/usr/bin/env python3
"""json-parser() and mailbox-monitor() in one configuration and one log path.

syslog-ng's json-plugin and this module were once both exporting a
json_parser_new symbol; whichever loaded second called the other's and the
daemon crashed on the first message.  Here both parsers run on the same
messages, in both orders: the daemon survives and both sets of values are
on every message."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
import records as r  # noqa: E402

TEMPLATE = h.tsv_template("${.json.Id}", "${.json.Operation}", "${.json.MailboxOwnerUPN}", "${.json.UserType}",
                          "${.mbx.kind}", "${.mbx.mailbox}", "${.mbx.rules}", "${TAGS}")

CONFIG = h.HEADER + h.OPTIONS + h.network_source() + h.network_source("s_net2", "@PORT2@") + """
parser p_json { json-parser(prefix(".json.")); };
parser p_mbx { mailbox-monitor(prefix(".mbx.") policy("@TWO_RULES@") approved-apps("%s")); };
""" % r.APPROVED_APP + h.file_destination("d_first", "json-first.log", TEMPLATE) + \
    h.file_destination("d_second", "json-second.log", TEMPLATE) + """
log { source(s_net); parser(p_json); parser(p_mbx); destination(d_first); };
log { source(s_net2); parser { mailbox-monitor(policy("@TWO_RULES@") approved-apps("%s")); }; parser(p_json); destination(d_second); };
""" % r.APPROVED_APP


def corpus():
    return [
        (r.owner_outlook_read(r.rid("clash", 1), "alice@contoso.com"), ""),
        (r.app_only_read(r.rid("clash", 2), "ceo@contoso.com", r.APPROVED_APP), ""),
        (r.app_only_read(r.rid("clash", 3), "ceo@contoso.com", r.ROGUE_APP), "app-unapproved"),
        (r.owner_outlook_read(r.rid("clash", 4), "bob@contoso.com", throttled=True), "throttled"),
        (r.user_logged_in(r.rid("clash", 5), "alice@contoso.com"), ""),
        (r.admin_cmdlet(r.rid("clash", 6), "admin@contoso.com"), ""),
    ]


class JsonParserClashTest(h.DaemonTestCase):

    def test_both_parsers_both_orders(self):
        c = corpus()
        d = self.daemon(CONFIG, n_ports=2)
        lines = [r.dumps(rec) for rec, _ in c]
        d.send(lines)
        d.send(lines, port=d.ports[1])
        out = d.wait_files({"json-first.log": len(c), "json-second.log": len(c)})
        self.assertTrue(d.alive(), "daemon died")

        by_id = {rec["Id"]: (rec, rules) for rec, rules in c}
        for name in ("json-first.log", "json-second.log"):
            got = [h.split_tsv(l) for l in out[name]]
            self.assertEqual(sorted(g[0] for g in got), sorted(by_id), name)
            for g in got:
                rec, rules = by_id[g[0]]
                json_op, json_upn, json_user_type, kind, mailbox, got_rules, tags = g[1:]
                # json-parser's values
                self.assertEqual(json_op, rec["Operation"], (name, g))
                self.assertEqual(json_upn, rec.get("MailboxOwnerUPN", ""), (name, g))
                self.assertEqual(json_user_type, str(rec["UserType"]), (name, g))
                # mailbox-monitor's values and tags
                self.assertEqual(kind, {"MailItemsAccessed": "mail-access", "UserLoggedIn": "signin"}.get(
                    rec["Operation"], "admin"), (name, g))
                if "MailboxOwnerUPN" in rec:
                    self.assertEqual(mailbox, rec["MailboxOwnerUPN"].lower(), (name, g))
                self.assertEqual(got_rules, rules, (name, g))
                expected_tags = {"mailbox.suspicious", "mailbox.rule." + rules} if rules else set()
                self.assertEqual(h.mbx_tags(tags), expected_tags, (name, g))

        self.assertEqual(d.parser_counter("p_mbx", "records"), len(c))
        d.stop()


if __name__ == "__main__":
    h.main()
