#!/usr/bin/env python3
"""Throughput and memory of the real daemon, its pipelines side by side.

    python3 bench/daemon.py --module-dir DIR --records FILE --policy FILE --out DIR [options]

Run by bench/daemon.sh (which builds the module and generates the records);
see README.md, "Performance and robustness".

The same messages (the first --messages lines of --records that loggen can
send as one message each) go through /usr/sbin/syslog-ng once per variant
and round, over TCP on 127.0.0.1 from `loggen -i -S -R FILE -d -r 100000000 -n N`,
with flow control on:

  1 none      network() -> file()
  2 json      + json-parser(prefix(".json."))
  3 grouping  + json-parser() + grouping-by(key("${.json.MailboxOwnerUPN}") timeout(600)
              inject-mode(pass-through) ...); it keeps every message in its
              contexts, so loggen is stopped when the daemon's VmRSS reaches
              --grouping-cap-mib
  4 mbx       + mailbox-monitor(policy(FILE)): the full catalogue, default options
  4' mbx-decode-all  the same with prescreen(no): every record decoded, so the
              table shows what the pre-screen buys on this mix (the ratios use 4)
  5 scl       (only when asked for) the SCL block as shipped,
              mailbox-monitor-pipeline(), with its own source (log-fetch-limit(100)),
              archive and alerts files: compared with 5', not with 1-4
  5' scl-fetch10  the same with syslog-ng's default log-fetch-limit(10)

The whole set runs once per entry of --connections (default 1,2): with k
connections, k loggen processes each send every k-th line (line i goes to
connection i % k, so the connections move through the records' time side by
side); the source allows two connections a sender, each with the
10,000-message window of the one-sender runs, and each loggen must report
every line of its part sent. Each count gets its own table and ratios,
because syslog-ng's thread switching, not the parsers, makes most of the
difference between them: over one connection its main thread wakes every
three messages or so and each wake-up moves the message between threads on
the one CPU; the switches per message are printed with every run. loggen
sends its messages in a burst and then waits for the end of the second, so
every variant but json-parser() and grouping-by() idles part of its wall
time. The k loggen processes are not in step: one can get hours of the
records' time ahead of another, and mailbox-monitor() then keeps the records
more than its lateness (2 h) behind out of its windows and counts them; the
last round reads that count (late_records, published every 5 s) into the
note, so a shape's flags can differ a little from the one-connection run's.

Figures per variant and round: messages received by the source, every one
accounted for (received == sent, or for a capped run whatever loggen sent
before it was stopped; received == written + dropped by a parser:
json-parser() drops what is not JSON, mailbox-monitor() passes it on),
syslog-ng CPU seconds (utime + stime of /proc/PID/stat, from just before
loggen starts until the last message is written), messages per CPU second
("per core"), wall time, and peak RSS (VmHWM).  The table gives the
median over the rounds; --json writes every run.  Within a round the
grouping variant runs last: the run right after its 1 GiB process used to
be (4), which then ran up to 8% slower than in the other rounds (198k
against 213-215k msg/s in one run).  The ratios are of the
medians; each round's own 4/2 (the two runs minutes apart at most) is
printed too, the median of those being less sensitive to the machine's
drift over the whole run.

With --profile, one more run of variant 4 under `perf record -e cpu-clock
--call-graph dwarf` prints the samples by library, the functions with the most
samples of their own, and the module's steps with what they call.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "e2e"))

import harness  # noqa: E402

LOGGEN = shutil.which("loggen") or "/usr/bin/loggen"
# loggen reads a line with fgets() into an 8 KiB buffer: a longer line leaves as several messages
LOGGEN_MAX_LINE = 8190

VARIANTS = ("none", "json", "grouping", "mbx", "mbx-decode-all", "scl", "scl-fetch10")
DEFAULT_VARIANTS = ("none", "json", "grouping", "mbx", "mbx-decode-all")
# the order of the runs within a round: the heavy grouping-by run last (see the module's docstring)
RUN_ORDER = ("none", "json", "mbx", "mbx-decode-all", "scl", "scl-fetch10", "grouping")
# the variants that run mailbox-monitor(), whose counters the runs read
MBX_VARIANTS = ("mbx", "mbx-decode-all", "scl", "scl-fetch10")
TITLES = {
    "none": "(1) no parser",
    "json": "(2) json-parser()",
    "grouping": "(3) json-parser() + grouping-by()",
    "mbx": "(4) mailbox-monitor()",
    "mbx-decode-all": "(4') mailbox-monitor(prescreen(no))",
    "scl": "(5) SCL mailbox-monitor-pipeline()",
    "scl-fetch10": "(5') the same, log-fetch-limit(10)",
}

SOURCE = ('source s_net { network(ip("127.0.0.1") port(@PORT@) transport("tcp") flags(no-parse) '
          'log-msg-size(67108864) max-connections(@CONNS@) log-iw-size(@IW@) @SOURCE_OPTIONS@); };\n')
# one short line per message, the same template in every variant (it names what the parser found)
DESTINATION = ('destination d_out { file("@DIR@/out.log" template("${.mbx.kind}${.json.Operation}\\n") '
               'log-fifo-size(50000)); };\n')
PARSERS = {
    "none": "",
    "json": 'parser p_json { json-parser(prefix(".json.")); };\n',
    "grouping": ('parser p_json { json-parser(prefix(".json.")); };\n'
                 'parser p_group { grouping-by(key("${.json.MailboxOwnerUPN}") scope(global) timeout(600) '
                 'inject-mode(pass-through) aggregate(value("MESSAGE" "$(context-length) records"))); };\n'),
    "mbx": 'parser p_mbx { mailbox-monitor(policy("@POLICY@")); };\n',
    "mbx-decode-all": 'parser p_mbx { mailbox-monitor(policy("@POLICY@") prescreen(no)); };\n',
}
# (5): the SCL block as shipped (scl/mailbox-monitor/plugin.conf), found the way Debian's scl.conf finds it;
# its own source, parser and destinations (the archive keeps each whole message, the alerts their ECS form),
# so it is compared with (5'), not with (1)-(4).  --source-options and the window above do not apply.
SCL_FILE = os.path.join(harness.REPO, "scl", "mailbox-monitor", "plugin.conf")
# (the repository's block by its path: an installed copy found along the include path would replace it)
SCL = ('@include "%s"\n' % SCL_FILE +
       'mailbox-monitor-pipeline(port(@PORT@) log-msg-size(67108864) alerts-file("@DIR@/alerts.log") '
       'archive-file("@DIR@/out.log") parser-options(policy("@POLICY@")) %s);\n')
SCL_OPTIONS = {"scl": "", "scl-fetch10": "log-fetch-limit(10)"}
PATHS = {
    "none": "",
    "json": "parser(p_json); ",
    "grouping": "parser(p_json); parser(p_group); ",
    "mbx": "parser(p_mbx); ",
    "mbx-decode-all": "parser(p_mbx); ",
}


def config(variant, policy, connections=1, source_options=""):
    if variant in SCL_OPTIONS:
        return (harness.HEADER + "options { log-msg-size(67108864); stats-level(1); };\n" +
                SCL % SCL_OPTIONS[variant]).replace("@POLICY@", policy)
    text = (harness.HEADER + "options { log-msg-size(67108864); stats-level(1); };\n" + SOURCE + PARSERS[variant] +
            DESTINATION + "log { source(s_net); %sdestination(d_out); flags(flow-control); };\n" % PATHS[variant])
    # loggen opens a connection of its own before the ones it sends on, and syslog-ng rejects what is over
    # max-connections: room for two a sender, each with the 10,000-message window of the one-sender runs
    # (log-iw-size is shared out evenly among max-connections)
    conns = 2 * connections
    return (text.replace("@POLICY@", policy).replace("@CONNS@", str(conns)).replace("@IW@", str(10000 * conns))
            .replace("@SOURCE_OPTIONS@", source_options))


class PinnedDaemon(harness.Daemon):
    """harness.Daemon, optionally pinned to one CPU with taskset."""

    def __init__(self, config_text, cpu=None, wrap=(), **kw):
        super().__init__(config_text, name="bench", **kw)
        self.cpu = cpu
        self.wrap = list(wrap)

    def command(self):
        cmd = super().command()
        if self.cpu is not None:
            cmd = ["taskset", "-c", str(self.cpu)] + cmd
        return self.wrap + cmd


def proc_context_switches(pid):
    """Voluntary and involuntary context switches so far of the process's threads that are alive now (syslog-ng's
    main and worker threads live as long as the daemon; a thread that ends mid-run takes its count away)."""
    n = 0
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return 0
    for tid in tasks:
        try:
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                        n += int(line.split()[1])
        except OSError:
            pass
    return n


def daemon_pid(d):
    """The syslog-ng process (not taskset or perf in front of it)."""
    pid = d.proc.pid
    for _ in range(100):
        try:
            with open("/proc/%d/comm" % pid) as f:
                if f.read().strip() == "syslog-ng":
                    return pid
            children = open("/proc/%d/task/%d/children" % (pid, pid)).read().split()
            if children:
                pid = int(children[0])
                continue
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("no syslog-ng process under pid %d" % d.proc.pid)


def prepare_input(records, n, out):
    """The first @n lines of @records that loggen sends as one message each; returns (n, skipped, bytes)."""
    taken = skipped = size = 0
    with open(records, "rb") as src, open(out, "wb") as dst:
        for line in src:
            body = line.rstrip(b"\n")
            if not body.strip():
                skipped += 1
                continue
            if len(body) > LOGGEN_MAX_LINE:
                skipped += 1
                continue
            dst.write(body + b"\n")
            taken += 1
            size += len(body)
            if taken == n:
                break
    return taken, skipped, size


def split_input(input_file, k):
    """@input_file dealt round-robin into @k files (line i to file i % k), so that the k connections
    progress through the records' time side by side; returns [(path, lines)]."""
    if k == 1:
        with open(input_file, "rb") as f:
            return [(input_file, sum(1 for _ in f))]
    parts = [("%s.%d-of-%d" % (input_file, i, k), []) for i in range(k)]
    with open(input_file, "rb") as f:
        for i, line in enumerate(f):
            parts[i % k][1].append(line)
    out = []
    for path, lines in parts:
        with open(path, "wb") as f:
            f.writelines(lines)
        out.append((path, len(lines)))
    return out


def stats_names(variant, port):
    """The source's and mailbox-monitor()'s stats names: the SCL block ends its objects' names in the port."""
    if variant in SCL_OPTIONS:
        return "s_mailbox_monitor_%d" % port, "p_mailbox_monitor_%d" % port
    return "s_net", "p_mbx"


def source_received(stats, source="s_net"):
    """Messages the source took in (source;<source>;;a;processed)."""
    return stats.get(("source", source, "", "processed"))


class WrittenLines:
    """Messages written so far: the lines of the one file, or of the SCL block's archive and alerts (an alert
    is not archived).  Counts only what was added since the last call, so the drain loop's polls do not
    read the archive (every message in full) again and again."""

    def __init__(self, d, variant):
        names = ("out.log", "alerts.log") if variant in SCL_OPTIONS else ("out.log",)
        self.files = {d.path(name): 0 for name in names}
        self.lines = 0

    def __call__(self):
        for path, offset in self.files.items():
            try:
                with open(path, "rb") as f:
                    f.seek(offset)
                    data = f.read()
            except FileNotFoundError:
                continue
            # a line still being written is counted once its newline is there
            end = data.rfind(b"\n") + 1
            self.lines += data.count(b"\n", 0, end)
            self.files[path] = offset + end
        return self.lines


def parser_discarded(stats):
    """Messages a parser dropped (json-parser() drops what does not parse): parser;<id>;;a;discarded."""
    return sum(v for k, v in stats.items() if k[0] == "parser" and k[3] == "discarded")


def run_variant(variant, args, parts, n, cpu_daemon, cpu_loggen, profile=False, read_late=False):
    perf_data = None
    wrap = []
    if profile:
        perf_data = os.path.join(args.out, "perf.data")
        # cpu-clock: this VM has no hardware counters; dwarf call graphs: the libraries have no frame pointers
        wrap = ["perf", "record", "-q", "-e", "cpu-clock", "-F", "4000", "--call-graph", "dwarf,16384", "-o", perf_data,
                "--"]
    d = PinnedDaemon(config(variant, args.policy, len(parts), args.source_options), cpu=cpu_daemon, wrap=wrap)
    try:
        d.start(timeout=60)
        pid = daemon_pid(d)
        source_name, mbx_parser = stats_names(variant, d.port)
        written_lines = WrittenLines(d, variant)
        loggens = []
        for path, lines in parts:
            cmd = [LOGGEN, "-i", "-S", "-R", path, "-d", "-r", "100000000", "-n", str(lines), "-I", "3600",
                   "127.0.0.1", str(d.port)]
            if cpu_loggen is not None:
                cmd = ["taskset", "-c", str(cpu_loggen)] + cmd
            loggens.append(cmd)
        cpu0 = harness.cpu_seconds(pid)
        cs0 = proc_context_switches(pid)
        t0 = time.monotonic()
        # SIGINT back to its default in loggen: a shell's background job starts with it ignored, and the
        # grouping-by run stops loggen with it
        lgs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)) for cmd in loggens]
        capped = False
        cap_kb = args.grouping_cap_mib * 1024
        send_deadline = time.monotonic() + 600
        while any(lg.poll() is None for lg in lgs):
            if time.monotonic() > send_deadline:
                for lg in lgs:
                    lg.kill()
                d.fail("%s: loggen still sending after 600 s" % variant)
            if not d.alive():
                for lg in lgs:
                    lg.kill()
                d.fail("syslog-ng died during the %s run" % variant)
            if variant == "grouping" and harness.proc_status_kb(pid, "VmRSS") >= cap_kb:
                capped = True
                for lg in lgs:
                    if lg.poll() is None:
                        lg.send_signal(signal.SIGINT)
                for lg in lgs:
                    try:
                        lg.wait(10)
                    except subprocess.TimeoutExpired:
                        lg.kill()
                break
            # grouping-by grows by about 8 KiB a message: look often, so the cap is overshot little
            time.sleep(0.005 if variant == "grouping" else 0.02)
        outs = [lg.communicate()[0].strip().splitlines() or [""] for lg in lgs]
        lg_out = " | ".join(o[-1] for o in outs)
        if not capped:
            # each loggen says how many it sent: a rejected connection would otherwise only show as a drain timeout
            for (path, lines), o, lg in zip(parts, outs, lgs):
                if lg.returncode != 0 or "count=%d," % lines not in o[-1]:
                    d.fail("%s: loggen for %s sent not all of its %d lines (exit %s): %s" %
                           (variant, os.path.basename(path), lines, lg.returncode, " / ".join(o[-3:])))
        # drain: every message the source took in is written
        deadline = time.monotonic() + 300
        last = -1
        while True:
            st = d.stats()
            received = source_received(st, source_name)
            done = written_lines() + parser_discarded(st)
            if not capped and done >= n:
                break
            if capped and received is not None and done == received and done == last:
                break
            last = done
            if time.monotonic() > deadline:
                d.fail("%s: timeout draining: %s written or discarded, %s received, %d sent" % (variant, done, received, n))
            if not d.alive():
                d.fail("syslog-ng died while draining the %s run" % variant)
            time.sleep(0.05 if not capped else 0.3)
        wall = time.monotonic() - t0
        cpu = harness.cpu_seconds(pid) - cpu0
        switches = proc_context_switches(pid) - cs0
        time.sleep(0.3)
        stats = d.stats()
        received = source_received(stats, source_name)
        written = written_lines()
        discarded = parser_discarded(stats)
        result = {
            "variant": variant,
            "messages": received,
            "written": written,
            "discarded": discarded,
            "received": received,
            "sent": n if not capped else None,
            "capped": capped,
            "cpu_s": cpu,
            "wall_s": wall,
            "per_core": received / cpu if cpu > 0 else 0.0,
            "switches_per_msg": switches / received if received else 0.0,
            "peak_rss_kb": harness.proc_status_kb(pid, "VmHWM"),
            "rss_kb": harness.proc_status_kb(pid, "VmRSS"),
            "loggen": lg_out,
        }
        if variant in MBX_VARIANTS:
            for c in ("records", "unparsed", "suspicious", "batches", "prescreened"):
                result[c] = d.parser_counter(mbx_parser, c)
            if read_late:
                # the state's figures reach the stats every 5 s (TICK_MSEC in mailbox-monitor-state.c)
                time.sleep(5.5)
                result["late_records"] = d.parser_counter(mbx_parser, "late_records")
        ok = written + discarded == received and (capped or received == n)
        result["accounted"] = ok
        if not ok:
            d.fail("%s: messages not accounted for: sent %s, received %s, written %s, discarded by a parser %s" %
                   (variant, n if not capped else "?", received, written, discarded))
        if profile:
            d.proc.send_signal(signal.SIGTERM)
            d.proc.wait(120)
        else:
            d.stop(timeout=120)
        return result
    finally:
        d.cleanup()


# the module's steps per record, and syslog-ng's own around them (inclusive shares)
PROFILE_STEPS = ("log_source_post", "_queue", "_process_record", "mbx_decoder_decode", "mbx_state_observe_geo",
                 "mbx_state_observe_full", "mbx_detector_evaluate_observed", "mbx_detector_is_trusted",
                 "mbx_detector_geo_lookup", "_count_coverage", "_annotate", "log_msg_set_value_with_type",
                 "log_proto_buffered_server_fetch", "log_writer_format_log")


def perf_lines(perf_data, *args):
    r = subprocess.run(["perf", "report", "-i", perf_data, "--stdio", "-q", "-g", "none", "--percent-limit", "0.3"] +
                       list(args), capture_output=True, text=True)
    return [l.rstrip() for l in r.stdout.splitlines() if l.strip() and not l.lstrip().startswith("#")]


def perf_report(perf_data, top):
    """Shares by library, the top functions by their own samples, and the module's steps with callees."""
    out = ["samples by library (self):"]
    out += ["  " + " ".join(l.split()) for l in perf_lines(perf_data, "--no-children", "--sort", "dso")[:10]]
    out.append("top %d functions by their own samples:" % top)
    out += ["  " + " ".join(l.split()[:1] + l.split()[1:]) for l in
            perf_lines(perf_data, "--no-children", "--sort", "dso,symbol")[:top]]
    out.append("steps, with what they call (inclusive):")
    for l in perf_lines(perf_data, "--children", "--sort", "symbol"):
        parts = l.split()
        if len(parts) >= 4 and parts[3] in PROFILE_STEPS:
            out.append("  %7s  %s" % (parts[0], parts[3]))
    return "\n".join(out)


def fmt_k(x):
    return "%.1fk" % (x / 1000.0)


def run_shape(args, variants, parts, n, cpu_daemon, cpu_loggen):
    """--rounds rounds of @variants with the messages sent over len(@parts) connections; prints the table."""
    print()
    print("-- %d connection%s" % (len(parts), "" if len(parts) == 1 else "s"))
    sys.stdout.flush()
    runs = []
    for rnd in range(1, args.rounds + 1):
        for v in sorted(variants, key=RUN_ORDER.index):
            r = run_variant(v, args, parts, n, cpu_daemon, cpu_loggen, read_late=rnd == args.rounds)
            r["round"] = rnd
            runs.append(r)
            print("  round %d %-9s %7d msgs (%d written, %d dropped by the parser)  cpu %6.2fs  wall %6.2fs  "
                  "%8.0f msg/s/core  switches/msg %.2f  peak %5.0f MiB%s" %
                  (rnd, v, r["messages"], r["written"], r["discarded"], r["cpu_s"], r["wall_s"], r["per_core"],
                   r["switches_per_msg"], r["peak_rss_kb"] / 1024.0, "  stopped at the cap" if r["capped"] else ""))
            sys.stdout.flush()

    med = {}
    for v in variants:
        rs = [r for r in runs if r["variant"] == v]
        med[v] = {
            "per_core": statistics.median(r["per_core"] for r in rs),
            "min": min(r["per_core"] for r in rs),
            "max": max(r["per_core"] for r in rs),
            "messages": statistics.median(r["messages"] for r in rs),
            "cpu_s": statistics.median(r["cpu_s"] for r in rs),
            "wall_s": statistics.median(r["wall_s"] for r in rs),
            "peak_rss_kb": max(r["peak_rss_kb"] for r in rs),
            "capped": any(r["capped"] for r in rs),
            "switches_per_msg": statistics.median(r["switches_per_msg"] for r in rs),
        }

    print()
    print("== syslog-ng 3.38, %d messages per variant over %d TCP connection%s, %d round(s), median (min-max) of "
          "messages per CPU second" % (n, len(parts), "" if len(parts) == 1 else "s", args.rounds))
    print("%-36s %10s %22s %8s %8s %9s %10s  %s" % ("variant", "messages", "msg/s per core", "CPU s", "wall s",
                                                    "switches", "peak RSS", "note"))
    for v in variants:
        m = med[v]
        note = ""
        dropped = statistics.median(r["discarded"] for r in runs if r["variant"] == v)
        if dropped:
            note = "%d not JSON, dropped by json-parser(); " % dropped
        if m["capped"]:
            note += "stopped at the %d MiB cap (grouping-by keeps every message)" % args.grouping_cap_mib
        if v in MBX_VARIANTS:
            r = [x for x in runs if x["variant"] == v][-1]
            decoded = r["records"] - r.get("prescreened", 0)
            note = "records %d of %d messages; fully decoded %d (%.1f%%), passed by the pre-screen %d; " \
                "suspicious %d; late %s" % (r["records"], r["messages"], decoded, 100.0 * decoded / r["messages"],
                                            r.get("prescreened", 0), r["suspicious"], r.get("late_records", "?"))
        print("%-36s %10d %9.0f (%s-%s) %8.2f %8.2f %9.2f %6.0f MiB  %s" % (
            TITLES[v], m["messages"], m["per_core"], fmt_k(m["min"]), fmt_k(m["max"]), m["cpu_s"], m["wall_s"],
            m["switches_per_msg"], m["peak_rss_kb"] / 1024.0, note))
    print("every message accounted for: %s" % ("yes" if all(r["accounted"] for r in runs) else "NO"))
    result = {"connections": len(parts), "runs": runs, "median": med}
    if "mbx" in med and "json" in med:
        r42 = med["mbx"]["per_core"] / med["json"]["per_core"]
        result["ratio_4_2"] = r42
        print("ratio 4/2: %.2f   target >= 3 (goal 4): %s" % (r42, "PASS" if r42 >= 3 else "MISS"))
        per_round = [m["per_core"] / j["per_core"] for m in runs if m["variant"] == "mbx"
                     for j in runs if j["variant"] == "json" and j["round"] == m["round"]]
        result["ratio_4_2_per_round"] = per_round
        print("  4/2 of each round: %s (median %.2f)" % (", ".join("%.2f" % x for x in per_round),
                                                         statistics.median(per_round)))
        print("peak RSS 4 vs 2: %.0f MiB vs %.0f MiB" % (med["mbx"]["peak_rss_kb"] / 1024.0,
                                                        med["json"]["peak_rss_kb"] / 1024.0))
    if "mbx" in med and "grouping" in med:
        r43 = med["mbx"]["per_core"] / med["grouping"]["per_core"]
        result["ratio_4_3"] = r43
        print("ratio 4/3: %.2f   target >= 6: %s" % (r43, "PASS" if r43 >= 6 else "MISS"))

    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--module-dir", required=True)
    ap.add_argument("--records", required=True, help="records.jsonl of a generated tenant")
    ap.add_argument("--policy", required=True, help="policy key-file for mailbox-monitor()")
    ap.add_argument("--out", required=True, help="work directory")
    ap.add_argument("--messages", type=int, default=200000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", default="1,2",
                    help="comma-separated: for each count, a table with the records dealt over that many loggen "
                         "processes, one TCP connection each")
    ap.add_argument("--grouping-cap-mib", type=int, default=1024)
    ap.add_argument("--source-options", default="",
                    help="more options of the network() source, the same in every variant, e.g. 'log-fetch-limit(100)'")
    ap.add_argument("--variants", default=",".join(DEFAULT_VARIANTS),
                    help="some of %s (default: all but the scl ones)" % ",".join(VARIANTS))
    ap.add_argument("--no-pin", action="store_true", help="do not pin syslog-ng and loggen to CPUs")
    ap.add_argument("--profile", action="store_true", help="one more run of (4) under perf record")
    ap.add_argument("--json", help="write every run here")
    args = ap.parse_args()
    os.environ["MBX_MODULE_DIR"] = os.path.abspath(args.module_dir)
    args.policy = os.path.abspath(args.policy)
    os.makedirs(args.out, exist_ok=True)
    variants = [v for v in args.variants.split(",") if v]

    input_file = os.path.join(args.out, "input.jsonl")
    n, skipped, size = prepare_input(args.records, args.messages, input_file)
    if n < args.messages:
        sys.exit("daemon: only %d usable lines in %s, %d wanted" % (n, args.records, args.messages))
    shapes = [int(k) for k in args.connections.split(",") if k]
    if not shapes or min(shapes) < 1:
        sys.exit("daemon: --connections wants a list of counts >= 1")
    ncpu = os.cpu_count() or 1
    cpu_daemon = cpu_loggen = None
    if not args.no_pin and ncpu >= 2 and shutil.which("taskset"):
        cpu_daemon, cpu_loggen = 1, 0
    print("input: %d messages, %.0f bytes on average (%d longer than loggen's %d-byte line left out)" %
          (n, size / n, skipped, LOGGEN_MAX_LINE))
    print("pinning: %s" % ("syslog-ng on CPU %d, loggen on CPU %d" % (cpu_daemon, cpu_loggen)
                           if cpu_daemon is not None else "none"))
    print("grouping-by memory cap: %d MiB VmRSS" % args.grouping_cap_mib)
    if args.source_options:
        print("source options added in every variant but the scl ones (their block sets its own): %s" %
              args.source_options)
    print("connections: %s (each a table of its own)" % ", ".join(str(k) for k in shapes))
    sys.stdout.flush()

    result = {"messages": n, "rounds": args.rounds, "shapes": {}}
    for k in shapes:
        result["shapes"][str(k)] = run_shape(args, variants, split_input(input_file, k), n, cpu_daemon, cpu_loggen)
    accounted = all(r["accounted"] for sh in result["shapes"].values() for r in sh["runs"])
    if len(shapes) > 1:
        print()
        print("== ratios by connections")
        for k in shapes:
            sh = result["shapes"][str(k)]
            print("  %d connection%s: 4/2 %s, 4/3 %s" % (k, "" if k == 1 else "s",
                                                      "%.2f" % sh["ratio_4_2"] if "ratio_4_2" in sh else "-",
                                                      "%.2f" % sh["ratio_4_3"] if "ratio_4_3" in sh else "-"))
    print("every message accounted for, every shape: %s" % ("yes" if accounted else "NO"))
    if args.profile:
        parts = split_input(input_file, shapes[0])
        print()
        print("profile of (4) (perf record -e cpu-clock --call-graph dwarf, syslog-ng only; shares of its samples):")
        sys.stdout.flush()
        r = run_variant("mbx", args, parts, n, cpu_daemon, cpu_loggen, profile=True)
        result["profile_run"] = r
        print(perf_report(os.path.join(args.out, "perf.data"), 30))
        print("perf data: %s (perf report -i %s)" % (os.path.join(args.out, "perf.data"),
                                                     os.path.join(args.out, "perf.data")))

    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
