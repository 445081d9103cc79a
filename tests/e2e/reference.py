"""What the mailbox-monitor() parser itself decides about some input, for suites that test what
happens after the decision (routing, alert formats, delivery, rsyslog parity) and must not restate
the rules: a plain daemon with only the parser, fed the same lines in the same order (verdicts depend
on the per-mailbox state, hence on order), records each record's rules, score and tags."""

import collections

import harness as h

Verdict = collections.namedtuple("Verdict", "rules score suspicious")

CONFIG = h.HEADER + h.OPTIONS + h.network_source() + """
parser p_mbx { mailbox-monitor(@OPTIONS@); };
""" + h.file_destination("d_all", "all.log", h.tsv_template("${.mbx.rules}", "${.mbx.score}", "${TAGS}", "${MESSAGE}")) + """
log { source(s_net); parser(p_mbx); destination(d_all); };
"""


_cache = {}


def verdicts(testcase, lines, n_records, parser_options=""):
    """{record Id: Verdict} for @lines (n_records records once blobs are split), run through
    mailbox-monitor(@parser_options) in a daemon of @testcase (a harness.DaemonTestCase).
    The same input asked again in the same run is answered from memory."""
    key = (tuple(h.to_bytes(x) for x in lines), n_records, parser_options)
    if key not in _cache:
        _cache[key] = _run(testcase, lines, n_records, parser_options)
    return dict(_cache[key])


def _run(testcase, lines, n_records, parser_options):
    d = testcase.daemon(CONFIG.replace("@OPTIONS@", parser_options))
    d.send(lines)
    out = d.wait_files({"all.log": n_records}, settle=0.2)["all.log"]
    d.stop()
    result = {}
    for line in out:
        rules, score, tags, message = line.split(b"\t", 3)
        rec_id = h.message_id(message)
        if rec_id is None:
            continue
        result[rec_id] = Verdict(tuple(x for x in rules.decode().split(",") if x), int(score or 0),
                                 "mailbox.suspicious" in tags.decode().split(","))
    return result


def suspicious(result):
    return {rec_id for rec_id, v in result.items() if v.suspicious}


def benign(result):
    return {rec_id for rec_id, v in result.items() if not v.suspicious}
