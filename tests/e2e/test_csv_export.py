#!/usr/bin/env python3
"""The Purview audit search CSV export: syslog-ng's own csv-parser() takes the columns apart
(AuditData is the record, a CSV-quoted JSON with doubled quotes), then
mailbox-monitor(template("${AuditData}")) decodes it.  The header line is no record.

What syslog-ng 3.38 needs, checked against the real daemon: flags(escape-double-char).
3.38 also accepts dialect(escape-double-char) but then ignores it (a syslog-ng bug, fixed in 4.0:
"csv-parser(): fixed the processing of the dialect() parameter, which was not taken into
consideration"): AuditData comes out cut at its first comma and every record is unparsed.  The
last test pins that down, so nobody writes dialect() into a configuration for 3.38."""

import csv
import glob
import io
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
import records as r  # noqa: E402

HEADER_LINE = "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits," \
              "AssociatedAdminUnitsNames"

CONFIG = h.HEADER + h.OPTIONS + h.network_source() + """
parser p_csv {
  @CSV@;
};
parser p_mbx { mailbox-monitor(prefix(".mbx.") policy("@TWO_RULES@") approved-apps("%s") template("${AuditData}")); };
""" % r.APPROVED_APP + h.file_destination("d_all", "all.log", h.row_template(message="${AuditData}")) + \
    h.file_destination("d_cols", "cols.log", h.tsv_template("${RecordId}", "${RecordType}", "${Operation}",
                                                             "${UserId}", "${AAU}")) + """
log { source(s_net); parser(p_csv); parser(p_mbx); destination(d_all); destination(d_cols); };
"""

CSV_PARSER = """csv-parser(columns("RecordId","CreationDate","RecordType","Operation","UserId","AuditData","AAU","AAUN")
             delimiters(",") quote-pairs('""') @ESCAPE@)"""
CONFIG = CONFIG.replace("@CSV@", CSV_PARSER)

RECORD_TYPES = {50: "ExchangeItemAggregated", 15: "AzureActiveDirectoryStsLogon", 1: "ExchangeAdmin"}


def corpus():
    odd_folder = "\\Inbox\\\"Project, X\" & 'Y'"   # quotes, a comma, a backslash inside a JSON string
    return [
        (r.owner_outlook_read(r.rid("csv", 1), "alice@contoso.com"), ""),
        (r.app_only_read(r.rid("csv", 2), "ceo@contoso.com", r.APPROVED_APP), ""),
        (r.app_only_read(r.rid("csv", 3), "ceo@contoso.com", r.ROGUE_APP, folder_path=odd_folder),
         "app-unapproved"),
        (r.owner_outlook_read(r.rid("csv", 4), "bob@contoso.com", throttled=True), "throttled"),
        (r.user_logged_in(r.rid("csv", 5), "alice@contoso.com"), ""),
        (r.admin_cmdlet(r.rid("csv", 6), "admin@contoso.com"), ""),
    ]


def csv_lines(c):
    """The export's lines: the header, then one row per record with AuditData CSV-quoted."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for rec, _ in c:
        w.writerow([rec["Id"], rec["CreationTime"] + ".0000000Z", RECORD_TYPES[rec["RecordType"]], rec["Operation"],
                    rec["UserId"], r.dumps(rec), "", ""])
    rows = buf.getvalue().splitlines()
    for row in rows:
        assert row.count('""') > 10, row   # AuditData really is quoted with doubled quotes
    return [HEADER_LINE] + rows


class CsvExportTest(h.DaemonTestCase):

    def run_export(self, escape):
        c = corpus()
        d = self.daemon(CONFIG.replace("@ESCAPE@", escape))
        d.send(csv_lines(c))
        out = d.wait_files({"all.log": len(c) + 1, "cols.log": len(c) + 1})
        rows = h.rows(out["all.log"])

        header = [x for x in rows if x.record_id is None]
        self.assertEqual(len(header), 1, rows)
        self.assertEqual(header[0].message, "AuditData")
        self.assertEqual(header[0].mbx_tags, {"mailbox.unparsed"})
        self.assertTrue(header[0].error)

        by_id = {rec["Id"]: (rec, rules) for rec, rules in c}
        good = [x for x in rows if x.record_id is not None]
        self.assertEqual(sorted(x.record_id for x in good), sorted(by_id))
        for row in good:
            rec, rules = by_id[row.record_id]
            # csv-parser gave back the JSON exactly
            self.assertEqual(json.loads(row.raw_message), rec, row)
            self.assertEqual(row.rules, rules, row)
            self.assertEqual(row.mbx_tags, {"mailbox.suspicious", "mailbox.rule." + rules} if rules else set(), row)
            self.assertEqual(row.kind, {"MailItemsAccessed": "mail-access", "UserLoggedIn": "signin"}.get(
                rec["Operation"], "admin"), row)
            if rules:
                self.assertEqual(row.id, rec["Id"], row)
                self.assertEqual(row.operation, rec["Operation"], row)

        cols = sorted(h.split_tsv(l) for l in out["cols.log"])
        want = sorted([["RecordId", "RecordType", "Operation", "UserId", "AssociatedAdminUnits"]] +
                      [[rec["Id"], RECORD_TYPES[rec["RecordType"]], rec["Operation"], rec["UserId"], ""]
                       for rec, _ in c])
        self.assertEqual(cols, want)

        self.assertEqual(d.parser_counter("p_mbx", "records"), len(c))
        self.assertEqual(d.parser_counter("p_mbx", "unparsed"), 1)
        self.assertEqual(d.parser_counter("p_mbx", "suspicious"), sum(1 for _, rules in c if rules))
        d.stop()

    def test_flags_escape_double_char(self):
        self.run_export("flags(escape-double-char)")

    def test_dialect_is_ignored_by_3_38(self):
        version = subprocess.run([h.SYSLOG_NG, "--version"], capture_output=True, text=True).stdout
        if "3.38." not in version.splitlines()[0]:
            self.skipTest("dialect() is only known to be ignored by syslog-ng 3.38")
        c = corpus()
        d = self.daemon(CONFIG.replace("@ESCAPE@", "dialect(escape-double-char)"))
        d.send(csv_lines(c))
        out = d.wait_files({"all.log": len(c) + 1})
        rows = h.rows(out["all.log"])
        # nothing lost, but nothing decoded either: AuditData is the JSON cut at its first comma
        self.assertEqual(len(rows), len(c) + 1)
        for row in rows:
            self.assertEqual(row.mbx_tags, {"mailbox.unparsed"}, row)
        self.assertEqual(sorted(x.message for x in rows),
                         ["AuditData"] + ['{"CreationTime"":""%s""' % r.CREATION_TIME] * len(c))
        self.assertEqual(d.parser_counter("p_mbx", "records"), 0)
        self.assertEqual(d.parser_counter("p_mbx", "unparsed"), len(c) + 1)
        d.stop()

    def test_examples_csv_parsers(self):
        """Every csv-parser() of examples/*.conf, run for real on the export: it must hand mailbox-monitor()
        the records intact (on 3.38 that takes flags(escape-double-char); dialect() alone is ignored)."""
        found = []
        for conf in sorted(glob.glob(os.path.join(h.REPO, "examples", "*.conf"))):
            with open(conf) as f:
                text = f.read()
            for expr in csv_parser_exprs(text):
                found.append((os.path.basename(conf), expr))
        if not found:
            self.skipTest("no example uses csv-parser()")
        c = corpus()
        for name, expr in found:
            with self.subTest(example=name):
                conf = CONFIG.replace(CSV_PARSER, expr)
                self.assertNotEqual(conf, CONFIG)
                d = self.daemon(conf)
                d.send(csv_lines(c))
                out = d.wait_files({"all.log": len(c) + 1})
                rows = h.rows(out["all.log"])
                decoded = sorted(x.record_id for x in rows if x.record_id)
                d.stop()
                self.assertEqual(decoded, sorted(rec["Id"] for rec, _ in c),
                                 "%s: %s does not give mailbox-monitor() the AuditData records; "
                                 "unparsed: %r" % (name, expr, [x.error for x in rows if x.error]))


def csv_parser_exprs(text):
    """The csv-parser(...) expressions of a configuration text (balanced parentheses, quotes skipped)."""
    out = []
    pos = 0
    text = "\n".join(_strip_comment(line) for line in text.splitlines())
    while True:
        start = text.find("csv-parser(", pos)
        if start < 0:
            return out
        i = start + len("csv-parser(")
        depth = 1
        quote = None
        while i < len(text) and depth:
            ch = text[i]
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "\"'":
                quote = ch
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            i += 1
        out.append(text[start:i])
        pos = i


def _strip_comment(line):
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line


if __name__ == "__main__":
    h.main()
