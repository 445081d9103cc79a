#!/usr/bin/env python3
"""The mailbox-suspicious() filter in the real daemon agrees with the tags and the score the parser
set: alone, with rules() and min-score(), negated and combined with and/or, as a named filter used
in two paths, under a second parser's prefix(), on 4 connections at once with 4 worker threads."""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
import records as r  # noqa: E402
import test_routing  # noqa: E402

ROW = h.tsv_template("${.mbx.id}", "${.mbx.score}", "${TAGS}")

# destination name -> filter expression; each file is checked against what the tags and the score say
FILTERS = {
    "any": "mailbox-suspicious()",
    "tags": 'tags("mailbox.suspicious")',
    "throttled": 'mailbox-suspicious(rules("throttled"))',
    "either": 'mailbox-suspicious(rules("app-unapproved" "throttled"))',
    "score70": "mailbox-suspicious(min-score(70))",
    "not_any": "not mailbox-suspicious()",
    "app_only": 'mailbox-suspicious(rules("app-unapproved")) and not mailbox-suspicious(rules("throttled"))',
    "or": 'mailbox-suspicious(rules("throttled")) or mailbox-suspicious(min-score(60))',
    "named1": "f_named",
    "named2": "f_named",
}


def expected(name, tags, score):
    suspicious = "mailbox.suspicious" in tags
    throttled = "mailbox.rule.throttled" in tags
    app = "mailbox.rule.app-unapproved" in tags
    return {
        "any": suspicious,
        "tags": suspicious,
        "throttled": suspicious and throttled,
        "either": suspicious and (throttled or app),
        "score70": suspicious and score >= 70,
        "not_any": not suspicious,
        "app_only": suspicious and app and not throttled,
        "or": suspicious and (throttled or score >= 60),
        "named1": suspicious and score >= 50,
        "named2": suspicious and score >= 50,
    }[name]


def config():
    text = h.HEADER + h.OPTIONS + h.network_source() + """
parser p_mbx { mailbox-monitor(approved-apps("%s" "%s") fields("all")); };
parser p_alt { mailbox-monitor(prefix(".alt.") approved-apps("%s" "%s") fields("all")); };
filter f_named { mailbox-suspicious(min-score(50)); };
""" % ((r.APPROVED_APP, r.APPROVED_APP2) * 2)
    text += h.file_destination("d_all", "all.log", ROW)
    text += h.file_destination("d_alt", "alt.log", ROW)
    for name in FILTERS:
        text += h.file_destination("d_" + name, name + ".log", ROW)
    text += "log {\n  source(s_net);\n  parser(p_mbx);\n  log { destination(d_all); };\n"
    for name, expr in FILTERS.items():
        if expr == "f_named":
            text += "  log { filter(f_named); destination(d_%s); };\n" % name
        else:
            text += "  log { filter { %s; }; destination(d_%s); };\n" % (expr, name)
    # the second parser writes under .alt.; the filter reads the score there
    text += '  log { parser(p_alt); filter { mailbox-suspicious(prefix(".alt.") min-score(60)); }; ' \
            'destination(d_alt); };\n'
    text += "};\n"
    return text


class FilterTest(h.DaemonTestCase):

    def test_the_filter_agrees_with_the_tags(self):
        copies = [test_routing.corpus("c%d-" % i) for i in range(4)]
        all_records = [x for c in copies for x in c]
        d = self.daemon(config(), extra_args=["--worker-threads=4"])

        threads = [threading.Thread(target=h.send_lines, args=(d.port, [r.dumps(rec) for rec, _ in c]))
                   for c in copies]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        d.wait_files({"all.log": len(all_records)}, settle=0)

        # what each record is, by the parser's own tags and score
        truth = {}
        for line in h.read_lines(d.path("all.log")):
            rec_id, score, tags = h.split_tsv(line)
            truth[rec_id] = (set(tags.split(",")), int(score))
        self.assertEqual(sorted(truth), sorted(rec["Id"] for rec, _ in all_records))
        n_suspicious = sum(1 for _, rules in all_records if rules)
        self.assertEqual(sum(1 for tags, _ in truth.values() if "mailbox.suspicious" in tags), n_suspicious)
        scores = {score for tags, score in truth.values() if "mailbox.suspicious" in tags}
        self.assertTrue(any(s >= 70 for s in scores) and any(s < 70 for s in scores), scores)

        want = {name: sorted(x for x, (tags, score) in truth.items() if expected(name, tags, score)) for name in FILTERS}
        for name in FILTERS:
            self.assertTrue(want[name], "%s selects something in the corpus" % name)
        out = d.wait_files({name + ".log": len(want[name]) for name in FILTERS})
        for name in FILTERS:
            got = sorted(h.split_tsv(line)[0] for line in out[name + ".log"])
            self.assertEqual(got, want[name], "filter %s: %s" % (name, FILTERS[name]))

        alt_want = sorted(x for x, (tags, score) in truth.items() if "mailbox.suspicious" in tags and score >= 60)
        alt = d.wait_files({"alt.log": len(alt_want)})["alt.log"]
        self.assertEqual(sorted(h.split_tsv(line)[0] for line in alt), alt_want)
        d.stop()


if __name__ == "__main__":
    h.main()
