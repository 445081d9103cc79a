#!/usr/bin/env python3
"""Routing on the module's tags: suspicious records to their own destination (flags(final)), the rest
to another; which record lands where, with which rule tags and values, exactly."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
import records as r  # noqa: E402

OUTLOOK_SCRIPTED = "Client=REST;Client=RESTSystem;UserAgent=python-requests/2.31.0;"
EWS_CLIENT = "Client=WebServices;ExchangeServicesClient/15.20.8293.000;"
OWA_CLIENT = "Client=OWA;Action=ViaProxy"


def corpus(tag=""):
    """[(record, expected rules)]: 11 benign records, 9 suspicious ones; @tag makes other ids."""
    c = []

    def add(rec, rules=()):
        c.append((rec, tuple(rules)))

    # benign: the owners in Outlook over MAPI (no app ids at all)
    add(r.owner_outlook_read(r.rid(tag + "owner", 1), "alice@contoso.com"))
    add(r.owner_outlook_read(r.rid(tag + "owner", 2), "Bob@Contoso.com"))
    # benign: approved apps, app-only, delegated through Graph, upper-case id
    add(r.app_only_read(r.rid(tag + "approved", 1), "ceo@contoso.com", r.APPROVED_APP))
    add(r.delegated_graph_read(r.rid(tag + "approved", 2), "cfo@contoso.com", r.APPROVED_APP2))
    add(r.app_only_read(r.rid(tag + "approved", 3), "ceo@contoso.com", r.APPROVED_APP.upper()))
    # benign: first-party clients on their normal paths
    add(r.mail_items_accessed(r.rid(tag + "firstparty", 1), "dave@contoso.com", app_id=r.APP_EXCHANGE,
                              client_app_id=r.APP_OUTLOOK_DESKTOP, client_info=r.OUTLOOK_CLIENT))
    add(r.mail_items_accessed(r.rid(tag + "firstparty", 2), "erin@contoso.com", app_id=r.APP_EXCHANGE, client_app_id="",
                              client_info=OWA_CLIENT))
    add(r.delegated_graph_read(r.rid(tag + "firstparty", 3), "frank@contoso.com", r.APP_OUTLOOK_DESKTOP))
    # benign: sign-ins and admin cmdlets
    add(r.user_logged_in(r.rid(tag + "signin", 1), "alice@contoso.com"))
    add(r.user_logged_in(r.rid(tag + "signin", 2), "bob@contoso.com"))
    add(r.admin_cmdlet(r.rid(tag + "admin", 1), "admin@contoso.com", "Set-Mailbox"))

    # suspicious: reads by apps that are not approved
    add(r.app_only_read(r.rid(tag + "rogue", 1), "ceo@contoso.com", r.ROGUE_APP), ["app-unapproved"])
    add(r.delegated_graph_read(r.rid(tag + "rogue", 2), "cfo@contoso.com", r.ROGUE_APP2), ["app-unapproved"])
    add(r.app_only_read(r.rid(tag + "rogue", 3), "hr@contoso.com", r.ROGUE_APP.upper()), ["app-unapproved"])
    # suspicious: Outlook desktop's id on Graph driven by a script; an unidentified app over EWS
    add(r.delegated_graph_read(r.rid(tag + "rogue", 4), "ceo@contoso.com", r.APP_OUTLOOK_DESKTOP,
                               client_info=OUTLOOK_SCRIPTED), ["app-unapproved"])
    add(r.mail_items_accessed(r.rid(tag + "rogue", 5), "legal@contoso.com", client_info=EWS_CLIENT), ["app-unapproved"])
    # suspicious: throttled reads
    add(r.owner_outlook_read(r.rid(tag + "throttled", 1), "alice@contoso.com", throttled=True), ["throttled"])
    add(r.app_only_read(r.rid(tag + "throttled", 2), "ceo@contoso.com", r.APPROVED_APP, throttled=True), ["throttled"])
    add(r.app_only_read(r.rid(tag + "throttled", 3), "ceo@contoso.com", r.ROGUE_APP, throttled=True),
        ["app-unapproved", "throttled"])
    # suspicious, but an admin cmdlet after it stays benign
    add(r.app_only_read(r.rid(tag + "rogue", 6), "board@contoso.com", r.ROGUE_APP2, access_type="Sync"),
        ["app-unapproved"])
    add(r.admin_cmdlet(r.rid(tag + "admin", 2), "admin@contoso.com", "Add-MailboxPermission"))
    return c


KINDS = {"MailItemsAccessed": "mail-access", "UserLoggedIn": "signin", "Set-Mailbox": "admin",
         "Add-MailboxPermission": "admin"}

# routing is the mechanism under test: the two rules whose verdicts these records were built for
POLICY = h.policy_file(only_rules=("app-unapproved", "throttled"))

CONFIG = h.HEADER + h.OPTIONS + h.network_source() + """
parser p_mbx { mailbox-monitor(prefix(".mbx.") policy("%s") approved-apps("%s" "%s") @FIELDS@); };
""" % (POLICY, r.APPROVED_APP, r.APPROVED_APP2) + \
    h.file_destination("d_susp", "suspicious.log", h.ROW_TEMPLATE) + \
    h.file_destination("d_rest", "rest.log", h.ROW_TEMPLATE) + """
log {
  source(s_net);
  parser(p_mbx);
  log { filter { tags("mailbox.suspicious"); }; destination(d_susp); flags(final); };
  log { destination(d_rest); };
};
"""


class RoutingTest(h.DaemonTestCase):

    def run_corpus(self, fields_option, blobs=False):
        if blobs:
            # the same routing, per record, for records split out of a content blob and an Event Hub batch
            blob, hub = corpus("blob-"), corpus("hub-")
            c = blob + hub
            lines = [r.dumps([rec for rec, _ in blob]), r.dumps({"records": [rec for rec, _ in hub]})]
        else:
            c = corpus()
            lines = [r.dumps(rec) for rec, _ in c]
        d = self.daemon(CONFIG.replace("@FIELDS@", fields_option))
        d.send(lines)
        expected_susp = {rec["Id"]: rules for rec, rules in c if rules}
        expected_rest = {rec["Id"] for rec, rules in c if not rules}
        out = d.wait_files({"suspicious.log": len(expected_susp), "rest.log": len(expected_rest)})
        susp = h.rows(out["suspicious.log"])
        rest = h.rows(out["rest.log"])

        # exactly which record lands where, each once
        self.assertEqual(sorted(x.record_id for x in susp), sorted(expected_susp))
        self.assertEqual(sorted(x.record_id for x in rest), sorted(expected_rest))

        by_id = {rec["Id"]: rec for rec, _ in c}
        for row in susp:
            rules = expected_susp[row.record_id]
            rec = by_id[row.record_id]
            self.assertEqual(row.mbx_tags, {"mailbox.suspicious"} | {"mailbox.rule." + x for x in rules}, row)
            self.assertEqual(row.rules, ",".join(rules), row)
            self.assertTrue(row.reason, row)
            for rule in rules:
                self.assertIn(rule + ":", row.reason, row)
            if "minimal" not in fields_option:
                self.assertEqual(row.id, row.record_id, row)
                self.assertEqual(row.operation, rec["Operation"], row)
            self.assertEqual(row.kind, KINDS[rec["Operation"]], row)
            self.assertEqual(row.mailbox, rec["MailboxOwnerUPN"].lower(), row)
            # the default weights: 50 each
            self.assertEqual(int(row.score), min(100, 50 * ("app-unapproved" in rules) + 50 * ("throttled" in rules)),
                             row)
            self.assertEqual(row.error, "", row)

        for row in rest:
            rec = by_id[row.record_id]
            self.assertEqual(row.mbx_tags, set(), row)
            self.assertEqual(row.rules, "", row)
            self.assertEqual(row.reason, "", row)
            self.assertEqual(row.score, "0", row)
            self.assertEqual(row.kind, KINDS[rec["Operation"]], row)
            self.assertEqual(row.error, "", row)
            if rec["Operation"] == "MailItemsAccessed":
                self.assertEqual(row.mailbox, rec["MailboxOwnerUPN"].lower(), row)

        self.assertEqual(d.parser_counter("p_mbx", "records"), len(c))
        self.assertEqual(d.parser_counter("p_mbx", "suspicious"), len(expected_susp))
        self.assertEqual(d.parser_counter("p_mbx", "unparsed"), 0)
        self.assertEqual(d.parser_counter("p_mbx", "batches"), 2 if blobs else 0)
        self.assertEqual(d.parser_counter("p_mbx", "batch_records"), len(c) if blobs else 0)
        d.stop()
        return susp, rest, by_id

    def test_default_fields(self):
        susp, rest, by_id = self.run_corpus("")
        # fields("suspicious") (the default): benign records carry only the routing fields
        for row in rest:
            self.assertEqual(row.id, "", row)
            self.assertEqual(row.operation, "", row)
            self.assertEqual(row.app_id, "", row)
        for row in susp:
            self.assertEqual(row.operation, "MailItemsAccessed", row)

    def test_blobs(self):
        susp, rest, by_id = self.run_corpus("", blobs=True)
        for row in rest:
            self.assertEqual(row.operation, "", row)

    def test_reload(self):
        """syslog-ng-ctl reload between two batches of records: both routed, counters carried on."""
        c = corpus()
        d = self.daemon(CONFIG.replace("@FIELDS@", ""))
        half = len(c) // 2
        d.send([r.dumps(rec) for rec, _ in c[:half]])
        first = d.wait_files({"suspicious.log": sum(1 for _, x in c[:half] if x),
                              "rest.log": sum(1 for _, x in c[:half] if not x)})
        d.ctl_run("reload")
        d.send([r.dumps(rec) for rec, _ in c[half:]])
        out = d.wait_files({"suspicious.log": sum(1 for _, x in c if x), "rest.log": sum(1 for _, x in c if not x)})
        self.assertEqual(sorted(x.record_id for x in h.rows(out["suspicious.log"])),
                         sorted(rec["Id"] for rec, rules in c if rules))
        self.assertEqual(sorted(x.record_id for x in h.rows(out["rest.log"])),
                         sorted(rec["Id"] for rec, rules in c if not rules))
        self.assertTrue(first)
        self.assertEqual(d.parser_counter("p_mbx", "records"), len(c))
        self.assertEqual(d.parser_counter("p_mbx", "suspicious"), sum(1 for _, x in c if x))
        self.assertIn("Configuration reload finished", d.log())
        d.stop()

    def test_fields_minimal(self):
        susp, rest, by_id = self.run_corpus('fields("minimal")')
        # minimal: not even suspicious records get the full set, but tags, rules and reason they do
        for row in susp + rest:
            self.assertEqual(row.operation, "", row)
            self.assertEqual(row.app_id, "", row)

    def test_fields_all(self):
        susp, rest, by_id = self.run_corpus('fields("all")')
        # fields("all"): benign records get the full set too, but never rules or a reason
        for row in rest:
            rec = by_id[row.record_id]
            self.assertEqual(row.id, row.record_id, row)
            self.assertEqual(row.operation, rec["Operation"], row)
            self.assertEqual(row.rules, "", row)
            self.assertEqual(row.reason, "", row)
        approved = [x for x in rest if x.record_id in (r.rid("approved", 1), r.rid("approved", 3))]
        self.assertEqual(len(approved), 2)
        for row in approved:
            self.assertEqual(row.app_id, r.APPROVED_APP, row)
        rogue = [x for x in susp if x.record_id == r.rid("rogue", 3)]
        self.assertEqual(rogue[0].app_id, r.ROGUE_APP, rogue)


if __name__ == "__main__":
    h.main()
